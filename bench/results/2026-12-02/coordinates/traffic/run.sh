#!/bin/sh
# Cost of coordinates: the same simulations with main (a060e81, built in MAIN_DIR) and this
# branch. Usage: MAIN_DIR=/path/to/main/checkout/with/dist run.sh   (from the repository root)
set -e
R=bench/results/2026-12-02/coordinates/traffic
for d in main branch; do
  dir=$([ "$d" = main ] && echo "$MAIN_DIR" || pwd)
  for p in tolerance lan; do
    (cd "$dir" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed 1 --crash 0 --profile $p --json) > $R/$d-$p-n200-s1.json
  done
  for s in 1 2 3 4 5 6 7 8 9 10; do
    for l in 0.1; do
      (cd "$dir" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed $s --crash 3 --loss $l --json) > $R/$d-tolerance-n200-crash3-loss$l-s$s.json
    done
  done
done
(cd "$(pwd)" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed 1 --crash 3 --loss 0 --json) > $R/branch-tolerance-n200-crash3-loss0-s1.json
(cd "$MAIN_DIR" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed 1 --crash 3 --loss 0 --json) > $R/main-tolerance-n200-crash3-loss0-s1.json
