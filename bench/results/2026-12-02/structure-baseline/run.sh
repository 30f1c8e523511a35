#!/bin/bash
# usage: run.sh OUTDIR
out=$1; mkdir -p $out
cd "$(git rev-parse --show-toplevel)"
g="node bin/gossipd.js simulate --json --profile lan"
$g --nodes 50 --duration 120s --seed 1 --loss 0.1 --crash 2 > $out/a.json 2>$out/a.err; echo "a $?" >> $out/rc
$g --nodes 100 --duration 180s --seed 2 --pause 3:8s --crash 1 > $out/b.json 2>$out/b.err; echo "b $?" >> $out/rc
$g --nodes 60 --duration 200s --seed 3 --partition 0.3:40s --crash 0 > $out/c.json 2>$out/c.err; echo "c $?" >> $out/rc
$g --nodes 300 --duration 120s --seed 4 --start converged --loss 0.05 --crash 3 > $out/d.json 2>$out/d.err; echo "d $?" >> $out/rc
$g --nodes 10 --duration 60s --seed 5 > $out/e.json 2>$out/e.err; echo "e $?" >> $out/rc
$g --nodes 80 --duration 150s --seed 6 --profile local --partition 0.5:30s:oneway --loss 0.02 --crash 1 > $out/f.json 2>$out/f.err; echo "f $?" >> $out/rc
$g --nodes 40 --duration 100s --seed 7 --latency 2ms-30ms --pause 2:3s --loss 0.15 --crash 2 > $out/g.json 2>$out/g.err; echo "g $?" >> $out/rc
