#!/bin/bash
# usage: stat.sh DIR FIELD N args...   -> median / p90 / max of FIELD over seeds 1..N
d=$1; f=$2; n=$3; shift 3
cd $d
seq 1 $n | xargs -P 2 -I{} sh -c "node bin/gossipd.js simulate --json --seed {} $* 2>/dev/null | node -e 'let t=\"\";process.stdin.on(\"data\",d=>t+=d).on(\"end\",()=>{const r=JSON.parse(t);const v=\"$f\".split(\".\").reduce((o,k)=>o?.[k],r);console.log(v===null?1e9:v)})'" | sort -n | node -e 'const v=require("fs").readFileSync(0,"utf8").trim().split("\n").map(Number);const q=p=>v[Math.min(v.length-1,Math.floor(p*v.length))];console.log("n="+v.length,"p50="+q(0.5),"p90="+q(0.9),"max="+v[v.length-1], "mean="+(v.reduce((a,b)=>a+b,0)/v.length).toFixed(0))'
