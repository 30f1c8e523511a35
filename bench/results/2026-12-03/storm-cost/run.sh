#!/bin/bash
# usage: run.sh OUT (from a built checkout): what a 1,000-member join storm costs the simulator, and two trials.
set -u
here=$(cd "$(dirname "$0")" && pwd); root=$(git -C "$here" rev-parse --show-toplevel); out=$1; mkdir -p "$out"
sim=(simulate --nodes 1000 --duration 120s --seed 1 --json)
copy() { rm -rf "$out/$1" && mkdir -p "$out/$1" && cp -r "$root/dist" "$root/bin" "$root/package.json" "$out/$1/" && ln -s "$root/node_modules" "$out/$1/node_modules"; }
copy main; copy count; copy lazy; copy weight
python3 "$here/patch-count.py" "$out/count/dist"; python3 "$here/patch-lazy-echo.py" "$out/lazy/dist"; python3 "$here/patch-echo-weight.py" "$out/weight/dist"
# every alive received, by simulated second
node --import "$here/count-hook.mjs" "$out/count/bin/gossipd.js" "${sim[@]}" 2> "$out/count.err" > /dev/null; tail -1 "$out/count.err" > "$out/alive-copies.json"
# where the CPU goes (main)
rm -rf "$out/prof" && node --cpu-prof --cpu-prof-dir="$out/prof" "$out/main/bin/gossipd.js" "${sim[@]}" > /dev/null 2>&1 && node "$here/top.mjs" "$out/prof" 30 > "$out/profile-top.txt" && rm -rf "$out/prof"
# main against the lazy trial, alternated, wall and CPU seconds
for i in 1 2 3; do for v in main lazy; do
  /usr/bin/time -f "{\"variant\":\"$v\",\"run\":$i,\"wallS\":%e,\"userS\":%U,\"sysS\":%S}" node "$out/$v/bin/gossipd.js" "${sim[@]}" 2>> "$out/time.err" > "$out/$v-$i.json"; tail -1 "$out/time.err" >> "$out/times.jsonl"
done; done
for w in 1 2 3; do ECHO_WEIGHT=$w node "$out/weight/bin/gossipd.js" "${sim[@]}" 2>/dev/null | jq -c "{echoWeight: $w, wallMs, convergenceMs, fullStateTransfers, bytesPerMemberPerSecAfterConvergence: .perNode.bytesSentPerSec.mean, falseSuspicions}" >> "$out/echo-weight.jsonl"; done
# the same at 10 % loss, seeds 1–5, 60 s
for s in 1 2 3 4 5; do for w in 1 2; do
  ECHO_WEIGHT=$w node "$out/weight/bin/gossipd.js" simulate --nodes 1000 --duration 60s --loss 0.1 --seed $s --json 2>/dev/null |
    jq -c "{seed: $s, echoWeight: $w, wallMs, convergenceMs, fullStateTransfers, bytesPerMemberPerSecAfterConvergence: .perNode.bytesSentPerSec.mean, falseSuspicions, falseFailures}" >> "$out/echo-weight-loss10.jsonl"
done; done
rm -rf "$out/main" "$out/count" "$out/lazy" "$out/weight" "$out/count.err" "$out/time.err"
