#!/bin/bash
# usage: run.sh OUTDIR BASE_ROOT NEW_ROOT   (each a built checkout: before = a060e81, after = this branch)
out=$1; base=$2; new=$3; mkdir -p "$out"; here=$(dirname "$0")
for root in "$base" "$new"; do
  tag=$([ "$root" = "$base" ] && echo before || echo after)
  node "$here/measure.mjs" "$root" 10 400 100 5 > "$out/$tag-10x400.json"
  node "$here/measure.mjs" "$root" 200 100 100 5 > "$out/$tag-200x100.json"
done
