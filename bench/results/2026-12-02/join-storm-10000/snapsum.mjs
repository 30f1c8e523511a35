// Self size of a .heapsnapshot by node type and name. usage: node --max-old-space-size=8000 snapsum.mjs FILE
import fs from 'node:fs';
const s = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const f = s.snapshot.meta.node_fields; const types = s.snapshot.meta.node_types[0]; const n = f.length;
const iType = f.indexOf('type'), iName = f.indexOf('name'), iSize = f.indexOf('self_size');
const agg = new Map(); let total = 0; const nodes = s.nodes;
for (let i = 0; i < nodes.length; i += n) { const t = types[nodes[i + iType]]; let name = s.strings[nodes[i + iName]]; if (t === 'string' || t === 'concatenated string' || t === 'sliced string') name = '(string)'; if (t === 'code') name = '(code)'; const k = t + ' ' + name.slice(0, 60); const e = agg.get(k) ?? [0, 0]; e[0] += nodes[i + iSize]; e[1]++; agg.set(k, e); total += nodes[i + iSize]; }
console.log('total MB', (total / 1e6).toFixed(1));
for (const [k, [b, c]] of [...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 30)) console.log((b / 1e6).toFixed(1).padStart(8), 'MB', String(c).padStart(9), k);
