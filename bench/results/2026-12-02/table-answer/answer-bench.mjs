// Time and garbage of answering table requests at 10,000 members: sendEntries on one core (usage: node --expose-gc --max-semi-space-size=1 answer-bench.mjs BUILT-CHECKOUT; a path containing "wt-base" means the build before the change, whose include test takes a Member).
const root = process.argv[2];
const { messageSize, PACKET_OVERHEAD_BYTES } = await import(root + '/dist/codec/index.js');
const { seededAddressCookie } = await import(root + '/dist/protocol/address-validation.js');
const { GossipNode } = await import(root + '/dist/protocol/node.js');
const { PROFILES } = await import(root + '/dist/protocol/options.js');
const { seededRandom } = await import(root + '/dist/protocol/random.js');
const { sendEntries } = await import(root + '/dist/protocol/table-transfer.js');
const core = new GossipNode(PROFILES.lan, { name: 'me', addr: { host: '10.0.0.1', port: 7946 }, tags: {}, incarnation: 100 },
  { random: seededRandom(1), addressCookie: seededAddressCookie(1), messageSize, packetOverheadBytes: PACKET_OVERHEAD_BYTES });
core.start(0);
const states = Array.from({ length: 10000 }, (_, i) => ({ name: `node-${i}`, addr: { host: '10.0.1.1', port: 1000 + i }, incarnation: 1, status: 'alive', tags: { role: 'web', zone: 'a' } }));
core.restore(states, 0);
const ctx = core.ctx; let datagrams = 0; ctx.send = () => { datagrams++; };
const table = ctx.table;
const run = (n, include) => { for (let i = 0; i < n; i++) sendEntries(ctx, { host: '10.0.0.2', port: 1 }, include, true); };
const half = root.includes('wt-base') ? (m) => (m.name.charCodeAt(m.name.length - 1) & 1) === 0 : (slot) => (table.nameAt(slot).charCodeAt(table.nameAt(slot).length - 1) & 1) === 0;
run(50, null); run(50, half);
const { PerformanceObserver } = await import('node:perf_hooks');
let minor = 0; new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail?.kind === 1) minor++; }).observe({ entryTypes: ['gc'] });
const tick = () => new Promise((r) => setImmediate(r));
const { getHeapStatistics } = await import('node:v8');
for (const [label, include] of [['whole', null], ['half', half]]) {
  globalThis.gc(); const a0 = process.memoryUsage().heapUsed; const t0 = performance.now(); datagrams = 0;
  const h0 = (await import("node:v8")).getHeapStatistics();
  run(200, include);
  const t = (performance.now() - t0) / 200;
  globalThis.__minor ??= 0;
  await tick(); await tick();
  const before = minor; run(200, include); await tick(); await tick();
  console.log(label, 'ms per answer', t.toFixed(2), 'datagrams', datagrams / 200, 'scavenges of 1 MB per answer', ((minor - before) / 200).toFixed(2));
}
