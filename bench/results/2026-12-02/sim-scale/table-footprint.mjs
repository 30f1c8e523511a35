// usage: node --expose-gc table-footprint.mjs REPO_ROOT [N]   (REPO_ROOT built: npm run build)
// One core (its own roster, as the agent builds it) that learns N members; bytes per member and the members listing cost.
const root = process.argv[2]; const n = +(process.argv[3] ?? 10000);
const { GossipNode } = await import(root + '/dist/protocol/node.js');
const { PROFILES } = await import(root + '/dist/protocol/options.js');
const { seededRandom } = await import(root + '/dist/protocol/random.js');
const { messageSize, PACKET_OVERHEAD_BYTES } = await import(root + '/dist/codec/index.js');
const used = () => { global.gc(); global.gc(); const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };
const node = new GossipNode(PROFILES.lan, { name: 'self', addr: { host: '10.0.0.1', port: 7946 }, tags: { role: 'web' }, incarnation: 1 }, { random: seededRandom(1), messageSize, packetOverheadBytes: PACKET_OVERHEAD_BYTES });
node.start(0);
const before = used();
// Learned by gossip, one alive at a time, each decoded into fresh objects as from the wire.
for (let i = 0; i < n; i++) {
  const alive = { type: 'alive', name: `node-${String(i).padStart(5, '0')}.example.internal`, incarnation: 1700000000 + i, addr: { host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 7946 }, tags: { role: i % 3 ? 'web' : 'db', zone: `z${i % 4}` } };
  node.receive([alive], { host: '10.9.9.9', port: 7946 }, 1000 + i);
}
for (let t = 2000 + n; t < 2000 + n + 900_000; t += 100) node.tick(t); // let the queue drain
const after = used();
console.log(`queue ${node.queueDepth} statuses ${JSON.stringify(node.members().reduce((c, m) => (c[m.status] = (c[m.status] ?? 0) + 1, c), {}))} members ${node.activeMembers}  bytes per member (heap + array buffers) ${((after - before) / n).toFixed(0)}`);
const times = [];
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  const list = node.members().map((m) => ({ name: m.name, addr: m.addr.host, port: m.addr.port, status: m.status, tags: m.tags, incarnation: m.incarnation })).sort((a, b) => (a.name < b.name ? -1 : 1));
  Buffer.from(JSON.stringify(list));
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(`members() + view + sort + JSON, ${n} members: p50 ${times[15].toFixed(1)} ms`);
