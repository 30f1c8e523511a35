#!/bin/sh
# Reproduces the coordinate error table (summary.md): build, then run every scenario.
set -e
cd "$(dirname "$0")/../../../.."
npm run build
nice -n 10 node bench/results/2026-12-02/coordinates/run.mjs "${1:-bench/results/2026-12-02/coordinates}"
