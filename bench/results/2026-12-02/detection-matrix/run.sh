#!/bin/bash
# The detection matrix of issue 11: 1 simulated hour per run, converged start, 3 crashes at
# 30 minutes. Writes one JSON report per run into this folder; `node summarize.cjs` makes the table.
cd "$(dirname "$0")"
root=$(git rev-parse --show-toplevel)
base="node $root/bin/gossipd.js simulate --json --start converged --duration 3600s --crash 3 --fault-at 1800s"
run() { local name=$1; shift; [ -s $name.json ] || $base "$@" > $name.json; }
for loss in 0 0.05 0.1 0.15; do
  for s in 1 2 3 4 5; do
    run tolerance-n100-l$loss-s$s --profile tolerance --nodes 100 --loss $loss --seed $s
    run lan-n100-l$loss-s$s --profile lan --nodes 100 --loss $loss --seed $s
  done
  run tolerance-n1000-l$loss-s1 --profile tolerance --nodes 1000 --loss $loss --seed 1
  run lan-n1000-l$loss-s1 --profile lan --nodes 1000 --loss $loss --seed 1
done
run stall-tolerance-n100-l0-s1 --profile tolerance --nodes 100 --loss 0 --seed 1 --stall 0.1:2s:60s
run stall-tolerance-n100-l0.1-s1 --profile tolerance --nodes 100 --loss 0.1 --seed 1 --stall 0.1:2s:60s
run pause-tolerance-n100-l0.1-s1 --profile tolerance --nodes 100 --loss 0.1 --seed 1 --stall 0.05:2.7s:30s
