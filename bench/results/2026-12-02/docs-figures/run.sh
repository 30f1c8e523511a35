#!/usr/bin/env bash
# The figures of README.md and docs/*.md that come from `gossipd plan` (the model) and
# `gossipd simulate` (deterministic by seed), each stored with the command that made it.
# Usage: bench/results/2026-12-02/docs-figures/run.sh   (from the repository root, after npm run build)
set -euo pipefail
out="$(dirname "$0")"
run() {   # run FILE ARGS...: the command on the first line, then its output
  local file="$1"; shift
  { echo "\$ node bin/gossipd.js $*"; node bin/gossipd.js "$@"; } > "$out/$file"
}
# docs/protocol.md, "Choosing a tolerance": one plan per row, at 1 % and at 15 % loss.
for t in 1s 2s 3s 5s 10s; do
  run "plan-tolerance-$t-loss-0.01.txt" plan --nodes 1000 --loss 0.01 --pause-tolerance "$t"
  run "plan-tolerance-$t-loss-0.15.txt" plan --nodes 1000 --loss 0.15 --pause-tolerance "$t"
done
run plan-lan-loss-0.01.txt plan --nodes 1000 --loss 0.01 --profile lan
run plan-lan-loss-0.15.txt plan --nodes 1000 --loss 0.15 --profile lan
# docs/protocol.md, "What the additions buy, in the simulator".
run simulate-n100-loss-0.1-seed1.txt simulate --nodes 100 --duration 300s --crash 0 --loss 0.1 --seed 1
run simulate-n100-loss-0.2-seed1.txt simulate --nodes 100 --duration 300s --crash 0 --loss 0.2 --seed 1
