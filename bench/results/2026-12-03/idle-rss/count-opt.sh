#!/bin/bash
# Functions V8 optimised (TurboFan) in the first 25 s of an idle lone agent.
root=${ROOT:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
timeout 25 node --trace-opt "$root/bin/gossipd.js" agent --name solo --bind 127.0.0.1:17946 --http 127.0.0.1:17947 --cluster rsstest 2>&1 | grep -E "^\[completed optimizing" | sed 's/.*<JSFunction \([^ ]*\).*/\1/'
