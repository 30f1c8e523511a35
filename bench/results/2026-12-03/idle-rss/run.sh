#!/bin/bash
# usage: run.sh OUT (from a built checkout, on a quiet machine): where a lone idle agent's RSS goes.
set -u
here=$(cd "$(dirname "$0")" && pwd); root=$(git -C "$here" rev-parse --show-toplevel); out=$1; mkdir -p "$out"
r="$out/rss.jsonl"; : > "$r"
"$here/rss-bare.sh" "node -e setInterval" "setInterval(()=>{},1000)" >> "$r"
"$here/rss-bare.sh" "http server + udp socket" "require('http').createServer().listen(17957,'127.0.0.1'); require('dgram').createSocket('udp4').bind(17956,'127.0.0.1'); setInterval(()=>{},1000)" >> "$r"
for m in pino msgpackr commander; do "$here/rss-bare.sh" "require $m" "require('$root/node_modules/$m'); setInterval(()=>{},1000)" >> "$r"; done
"$here/rss-bare.sh" "require node:crypto" "require('crypto').randomBytes(8); setInterval(()=>{},1000)" >> "$r"
"$here/rss-bare.sh" "require node:worker_threads" "require('worker_threads'); setInterval(()=>{},1000)" >> "$r"
"$here/rss-agent.sh" "agent" >> "$r"
rm -rf "$out/stub" && mkdir -p "$out/stub" && cp -r "$root/dist" "$root/bin" "$root/package.json" "$out/stub/" && ln -s "$root/node_modules" "$out/stub/node_modules"
python3 "$here/stub-pino.py" "$out/stub/dist"
ROOT="$out/stub" "$here/rss-agent.sh" "agent, pino replaced by a stub in dist" >> "$r"
"$here/rss-agent.sh" "agent, a no-op loader hook registered" --import "$here/noop-hook.mjs" >> "$r"
MSGPACKR_NATIVE_ACCELERATION_DISABLED=true "$here/rss-agent.sh" "agent, msgpackr without its native addon" >> "$r"
"$here/rss-agent.sh" "agent --no-opt" --no-opt >> "$r"
"$here/rss-agent.sh" "agent --jitless" --jitless >> "$r"
"$here/rss-agent.sh" "agent" >> "$r"
"$here/count-opt.sh" > "$out/optimised-at-idle.txt"
timeout 23 node --import "$here/mem.mjs" "$root/bin/gossipd.js" agent --name solo --bind 127.0.0.1:17946 --http 127.0.0.1:17947 --cluster rsstest 2> "$out/agent-heap.txt" > /dev/null

node --import "$here/mem.mjs" "$here/bare-sockets.mjs" 2> "$out/bare-sockets-heap.txt"
rm -rf "$out/stub"
