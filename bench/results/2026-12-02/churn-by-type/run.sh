#!/bin/bash
# usage: run.sh (from a built checkout): bytes per member per second by message type under churn 1 %/min, converged, 300 s, seed 1
here=$(cd "$(dirname "$0")" && pwd); root=$(git -C "$here" rev-parse --show-toplevel)
for n in 100 1000 3000; do
  ROOT=$root node "$here/bytype.mjs" --nodes $n --duration 300s --start converged --churn 0.01 --crash 0 --seed 1 --json 2> "$here/churn-$n.err" > "$here/churn-$n.json"
  grep '"nodes"' "$here/churn-$n.err" > "$here/churn-$n.bytype.json"
done
