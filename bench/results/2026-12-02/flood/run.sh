#!/bin/sh
# Junk flood at saturation against one agent of a 3-member encrypted cluster (the target holds
# 2 keys, as during a rotation; the flooder sends random bytes behind the envelope's version
# byte, which no key opens), from 1 and from 32 source ports, 10 s per stage, with idle stages
# around. "after" is this branch; "before" is the same bench run on commit a060e81 (the limit
# applied after decryption), e.g. from `git archive a060e81 | tar -x -C /tmp/old` with this
# bench/flood.ts copied in.
set -e
cd "$(dirname "$0")/../../../.."
npm run build && npm run bench:build
OUT=bench/results/2026-12-02/flood
node .bench-build/bench/flood.js --encrypt --keys 2 --junk --timing slow --rates 0,max,0 --sources 1,32 --seconds 10 --out "$OUT"
# The fast timing (probe timeout 100 ms) of the first runs, niced like a long bench job:
nice -n 10 node .bench-build/bench/flood.js --encrypt --keys 2 --junk --rates 0,max,0 --sources 1,32 --seconds 10 --out "$OUT"
