#!/bin/bash
# usage: rss-bare.sh LABEL CODE: `node -e CODE` (CommonJS), RSS (kB) 4 s after start, as one JSON line.
node -e "$2" > /dev/null 2>&1 & p=$!; sleep 4
echo "{\"label\":\"$1\",\"rssKB\":$(awk '/VmRSS/{print $2}' /proc/$p/status),\"anonKB\":$(awk '/RssAnon/{print $2}' /proc/$p/status),\"fileKB\":$(awk '/RssFile/{print $2}' /proc/$p/status)}"
kill $p; wait $p 2>/dev/null
