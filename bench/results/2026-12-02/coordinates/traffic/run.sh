#!/bin/sh
# Cost of coordinates: the same simulations with main (a060e81, built in MAIN_DIR) and this
# branch, 120 s (the cluster's first two minutes: joins and the coordinates' warm-up) and
# 600 s (closer to what a member pays for good). Usage, from the repository root:
#   MAIN_DIR=/path/to/a060e81/checkout/with/dist [WHICH="main branch"] run.sh
set -e
R=bench/results/2026-12-02/coordinates/traffic
for d in ${WHICH:-main branch}; do
  dir=$([ "$d" = main ] && echo "$MAIN_DIR" || pwd)
  for p in tolerance lan; do
    (cd "$dir" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed 1 --crash 0 --profile $p --json) > $R/$d-$p-n200-s1.json
    (cd "$dir" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 600s --seed 1 --crash 0 --profile $p --json) > $R/$d-$p-n200-600s-s1.json
  done
  for s in 1 2 3 4 5 6 7 8 9 10; do
    for l in 0.1; do
      (cd "$dir" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed $s --crash 3 --loss $l --json) > $R/$d-tolerance-n200-crash3-loss$l-s$s.json
    done
  done
  (cd "$dir" && nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed 1 --crash 3 --loss 0 --json) > $R/$d-tolerance-n200-crash3-loss0-s1.json
done
# This branch with --coordinates off sends what main sends (the same report, byte for byte, at
# seed 1). A single run's bytes swing by ±30 % with the seed (when anti-entropy's full
# exchanges fall in the window), so seeds 1-5, coordinates on and off, give the means.
if [ -z "$WHICH" ] || [ "$WHICH" != main ]; then
  for p in tolerance lan; do
    for s in 1 2 3 4 5; do
      for c in on off; do
        nice -n 10 node bin/gossipd.js simulate --nodes 200 --duration 120s --seed $s --crash 0 --profile $p --coordinates $c --json > $R/branch-$c-$p-n200-seed$s.json
      done
    done
  done
fi
