// Like progress.mjs, plus the whole process.memoryUsage(), GC time, and the messages sent by type per 10 s of wall time (state: entries; full = in a whole-table-sized answer). usage: ROOT=checkout node [node flags] progress2.mjs SIMULATE-FLAGS…
import { PerformanceObserver } from 'node:perf_hooks';
const root = process.env.ROOT;
const { Simulation } = await import(root + '/dist/sim/simulation.js');
const { main } = await import(root + '/dist/cli/main.js');
const ev = new Map(); let sims = [];
let gcMs = 0, gcCount = 0, majorMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) { gcMs += e.duration; gcCount++; if (e.detail?.kind === 4 || e.kind === 4) majorMs += e.duration; } }).observe({ entryTypes: ['gc'] });
const origApply = Simulation.prototype.apply;
Simulation.prototype.apply = function (member, effects) {
  if (!sims.includes(this)) sims.push(this);
  for (const e of effects.events) { const k = e.type === "member-changed" ? `${e.previous ?? "new"}>${e.member.status}` : e.type; ev.set(k, (ev.get(k) ?? 0) + 1); }
  return origApply.call(this, member, effects);
};
const sent = new Map();
const origSend = Simulation.prototype.send;
Simulation.prototype.send = function (from, to, messages) {
  for (const m of messages) { const k = m.type === 'state' ? (m.full ? 'stateFullEntries' : 'stateEntries') : m.type; sent.set(k, (sent.get(k) ?? 0) + (m.type === 'state' ? m.members.length : 1)); }
  return origSend.call(this, from, to, messages);
};
const t0 = Date.now();
const timer = setInterval(() => {
  const sim = sims[0]; let q = 0;
  if (sim) for (const m of sim.byName.values()) { q += m.core?.ctx?.queue?.size ?? 0; }
  const mu = process.memoryUsage(); const g = (x) => (x / 1e9).toFixed(2);
  console.error(JSON.stringify({ wallS: ((Date.now() - t0) / 1000).toFixed(0), simS: sim ? (sim.nowMs / 1000).toFixed(2) : 0,
    rss: g(mu.rss), heapTotal: g(mu.heapTotal), heapUsed: g(mu.heapUsed), external: g(mu.external), arrayBuffers: g(mu.arrayBuffers),
    gcS: (gcMs / 1000).toFixed(1), gcCount, majorS: (majorMs/1000).toFixed(1), queued: q, agenda: sim?.agenda?.size ?? sim?.agenda?.length,
    sent: Object.fromEntries(sent), events: Object.fromEntries(ev) }));
  sent.clear();
}, 10000);
timer.unref();
await main(['node', 'gossipd', 'simulate', ...process.argv.slice(2)]);
