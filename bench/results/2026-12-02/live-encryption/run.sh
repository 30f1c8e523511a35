#!/bin/sh
# Encryption switched on live in 1,000 in-process gossipd agents (real UDP on 127.0.0.1):
# list → install → use → enforce, then relax, from agent 0, with every agent's membership
# events counted, after a control window of the same length. Writes live-encryption-n<N>.json
# here and the progress log to stderr.
set -e
cd "$(dirname "$0")/../../../.."
npm run build && npm run bench:build
nice -n 10 node --max-old-space-size=8192 .bench-build/bench/live-encryption.js \
  --nodes "${NODES:-1000}" --profile tolerance --watch-seconds 30 \
  --out bench/results/2026-12-02/live-encryption 2> "bench/results/2026-12-02/live-encryption/run-n${NODES:-1000}.txt"
