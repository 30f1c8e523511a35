#!/bin/bash
# usage: run.sh [OUTDIR] [N...]   (default OUTDIR: this directory; default N: 100 1000 3000 10000)
# The simulator at 100 and 1,000 members (join start, 120 s) and 3,000 and 10,000 (converged
# start, 300 s), seed 1, one at a time under nice -n 10. Each run leaves sim-N-START.json (the
# report) and sim-N-START.time (/usr/bin/time -v: its maximum RSS cross-checks peakMemoryBytes).
# Then summary.cjs OUTDIR writes OUTDIR/summary.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}; shift || true
sizes=${*:-100 1000 3000 10000}
mkdir -p "$out"
cd "$(git -C "$here" rev-parse --show-toplevel)"
for n in $sizes; do
  if [ "$n" -le 1000 ]; then start=join; duration=120s; else start=converged; duration=300s; fi
  name=sim-$n-$start
  /usr/bin/time -v nice -n 10 node bin/gossipd.js simulate --nodes "$n" --duration "$duration" --start "$start" --seed 1 --json \
    > "$out/$name.json" 2> "$out/$name.time"
  echo "$name $?" >> "$out/rc"
done
node "$here/summary.cjs" "$out"
