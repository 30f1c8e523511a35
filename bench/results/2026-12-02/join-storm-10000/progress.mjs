// Progress of a `gossipd simulate` run every 10 s of wall time: simulated time, V8 heap, updates queued over all
// members, datagrams in flight (agenda), and status changes by (previous > new) summed over all members.
// usage: ROOT=checkout node progress.mjs SIMULATE-FLAGS… (progress lines and the report on stderr / stdout)
const root = process.env.ROOT;
const { Simulation } = await import(root + '/dist/sim/simulation.js');
const { main } = await import(root + '/dist/cli/main.js');
const ev = new Map(); let sims = [];
const origApply = Simulation.prototype.apply;
Simulation.prototype.apply = function (member, effects) {
  if (!sims.includes(this)) sims.push(this);
  for (const e of effects.events) { const k = e.type === "member-changed" ? `${e.previous ?? "new"}>${e.member.status}` : e.type; ev.set(k, (ev.get(k) ?? 0) + 1); }
  return origApply.call(this, member, effects);
};
const t0 = Date.now();
const timer = setInterval(() => {
  const sim = sims[0]; let q = 0, timers = 0;
  if (sim) for (const m of sim.byName.values()) { q += m.core?.ctx?.queue?.size ?? 0; }
  console.error(JSON.stringify({ wallS: ((Date.now() - t0) / 1000).toFixed(0), simS: sim ? (sim.nowMs / 1000).toFixed(2) : 0, heapGB: (process.memoryUsage().heapUsed / 1e9).toFixed(2), queued: q, agenda: sim?.agenda?.size ?? sim?.agenda?.length, events: Object.fromEntries(ev) }));
}, 10000);
timer.unref();
await main(['node', 'gossipd', 'simulate', ...process.argv.slice(2)]);
