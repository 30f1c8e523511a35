// Objects of class Object in a .heapsnapshot grouped by their first property names. usage: node --max-old-space-size=8000 snapobj.mjs FILE
import fs from 'node:fs';
const s = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const m = s.snapshot.meta; const f = m.node_fields, n = f.length, ef = m.edge_fields, en = ef.length;
const types = m.node_types[0], etypes = m.edge_types[0];
const iType = f.indexOf('type'), iName = f.indexOf('name'), iSize = f.indexOf('self_size'), iEC = f.indexOf('edge_count');
const eType = ef.indexOf('type'), eName = ef.indexOf('name_or_index');
const agg = new Map(); let e = 0; const nodes = s.nodes, edges = s.edges;
for (let i = 0; i < nodes.length; i += n) {
  const ec = nodes[i + iEC];
  if (types[nodes[i + iType]] === 'object' && s.strings[nodes[i + iName]] === 'Object') {
    const props = [];
    for (let k = 0; k < ec; k++) { const b = (e + k) * en; if (etypes[edges[b + eType]] === 'property') props.push(s.strings[edges[b + eName]]); }
    const key = props.slice(0, 6).join(',');
    const a = agg.get(key) ?? [0, 0]; a[0] += nodes[i + iSize]; a[1]++; agg.set(key, a);
  }
  e += ec;
}
for (const [k, [b, c]] of [...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12)) console.log((b / 1e6).toFixed(1).padStart(8), 'MB', String(c).padStart(9), k);
