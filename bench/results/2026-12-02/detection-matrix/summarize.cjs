const fs=require('fs');const dir=process.argv[2]??__dirname;
const rows={};
for (const f of fs.readdirSync(dir)) { if(!f.endsWith('.json'))continue; const r=JSON.parse(fs.readFileSync(dir+'/'+f));
 const m=f.match(/^((?:stall-|pause-)?\w+)-n(\d+)-l([\d.]+)-s(\d+)/); const key=JSON.stringify([m[1],Number(m[2]),Number(m[3])]); (rows[key]??=[]).push(r); }
const pct=(a,p)=>{a=[...a].sort((x,y)=>x-y);return a[Math.min(a.length-1,Math.floor(p*a.length))]};
const keys=Object.keys(rows).map(k=>JSON.parse(k)).sort((a,b)=>(a[0].includes('-')-b[0].includes('-'))||a[1]-b[1]||a[2]-b[2]||a[0].localeCompare(b[0]));
console.log('| run | N | loss | seeds × 1 h | crash → all p50 | p99 | max | false failures | false suspicions started / member-hour | datagrams / member / s | bytes / member / s |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const k of keys) { const rs=rows[JSON.stringify(k)]; const all=rs.flatMap(r=>r.crashes.map(c=>c.allDetectMs??Infinity));
 const hours=rs.reduce((a,r)=>a+r.nodes*r.simulatedMs/3.6e6,0);
 const ff=rs.reduce((a,r)=>a+r.falseFailures,0); const fso=rs.reduce((a,r)=>a+r.falseSuspicionsOriginated,0);
 const msg=rs.reduce((a,r)=>a+r.perNode.msgsSentPerSec.mean,0)/rs.length; const b=rs.reduce((a,r)=>a+r.perNode.bytesSentPerSec.mean,0)/rs.length;
 const f=(x)=>Number.isFinite(x)?(x/1000).toFixed(2)+' s':'never';
 console.log(`| ${k[0]} | ${k[1]} | ${k[2]*100} % | ${rs.length} | ${f(pct(all,.5))} | ${f(pct(all,.99))} | ${f(Math.max(...all))} | ${ff} | ${(fso/hours).toFixed(2)} | ${msg.toFixed(2)} | ${b.toFixed(0)} |`); }
