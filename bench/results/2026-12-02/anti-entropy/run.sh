#!/bin/bash
# Bytes per member per second under churn (1 % of the members restarted per simulated minute),
# converged start, 300 simulated seconds, no crash; then the join storm at N = 1,000 and the
# mass restart of 30 % of 1,000 members.
# usage: run.sh OUTDIR [GOSSIPD_ROOT]   (GOSSIPD_ROOT: a built checkout, default this one)
out=$1; root=${2:-$(git rev-parse --show-toplevel)}; mkdir -p "$out"
g="nice -n 10 node $root/bin/gossipd.js simulate --json --seed 1"
for n in 100 1000 3000; do
  $g --nodes $n --duration 300s --start converged --churn 0.01 --crash 0 > "$out/churn-$n.json" 2> "$out/churn-$n.err"; echo "churn-$n $?" >> "$out/rc"
done
$g --nodes 1000 --duration 120s --start join > "$out/join-1000.json" 2> "$out/join-1000.err"; echo "join-1000 $?" >> "$out/rc"
$g --nodes 1000 --duration 60s --start converged --restart 0.3 --fault-at 20s --crash 0 > "$out/restart-1000.json" 2> "$out/restart-1000.err"; echo "restart-1000 $?" >> "$out/rc"
