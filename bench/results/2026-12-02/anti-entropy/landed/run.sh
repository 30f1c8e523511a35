#!/bin/bash
# usage: run.sh (from a built checkout): the anti-entropy runs on main after ae landed, with the healing changes
out=$(cd "$(dirname "$0")" && pwd); root=$(git -C "$out" rev-parse --show-toplevel)
g="nice -n 10 node $root/bin/gossipd.js simulate --json --seed 1"
$g --nodes 1000 --duration 120s --start join > "$out/join-1000.json" 2> "$out/join-1000.err"; echo "join-1000 $?" >> "$out/rc"
$g --nodes 1000 --duration 60s --start converged --restart 0.3 --fault-at 20s --crash 0 > "$out/restart-1000.json" 2> "$out/restart-1000.err"; echo "restart-1000 $?" >> "$out/rc"
for n in 100 1000; do
  $g --nodes $n --duration 300s --start converged --churn 0.01 --crash 0 > "$out/churn-$n.json" 2> "$out/churn-$n.err"; echo "churn-$n $?" >> "$out/rc"
done
$g --nodes 3000 --duration 300s --start converged --churn 0.01 --crash 0 > "$out/churn-3000.json" 2> "$out/churn-3000.err"; echo "churn-3000 $?" >> "$out/rc"
