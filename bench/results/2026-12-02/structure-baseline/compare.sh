#!/bin/bash
cd "$(dirname "$0")"; node -e '
const strip=(f)=>{const o=JSON.parse(require("fs").readFileSync(f));for(const k of ["wallMs","stalls","stallFailures","restarts","restartsRecovered","restartRecoveryMs","stuck","fullStateTransfers","statePacketsSent","peakMemoryBytes"]) delete o[k]; return JSON.stringify(o)};
for (const x of "abcdefg") { let r; try { r = strip(process.argv[1]+"/"+x+".json")===strip(process.argv[2]+"/"+x+".json")?"same":"DIFFERS" } catch { r = "unreadable" } console.log(x, r) }' "$1" "$2"
diff $1/rc $2/rc && echo rc-same
