#!/bin/bash
# usage: rss-agent.sh LABEL [node flags...]: a lone agent on 127.0.0.1, idle; RSS (kB) at 26–30 s after start, as one JSON line.
# The environment passes through (for instance MSGPACKR_NATIVE_ACCELERATION_DISABLED=true).
label=$1; shift
root=${ROOT:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
node "$@" "$root/bin/gossipd.js" agent --name solo --bind 127.0.0.1:17946 --http 127.0.0.1:17947 --cluster rsstest > /dev/null 2>&1 &
p=$!
sleep 25
vals=()
for i in 1 2 3 4 5; do sleep 1; vals+=("$(awk '/VmRSS/{print $2}' /proc/$p/status)"); done
anon=$(awk '/RssAnon/{print $2}' /proc/$p/status); file=$(awk '/RssFile/{print $2}' /proc/$p/status)
echo "{\"label\":\"$label\",\"rssKB\":[$(IFS=,; echo "${vals[*]}")],\"anonKB\":$anon,\"fileKB\":$file}"
kill $p; wait $p 2>/dev/null
