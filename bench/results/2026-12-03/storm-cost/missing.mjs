// usage: ROOT=checkout node missing.mjs SIMULATE-FLAGS…: after `gossipd simulate`, the pairs (observer, subject) of running members not alive in the observer's table.
const root = process.env.ROOT;
const { Simulation } = await import(root + '/dist/sim/simulation.js');
const { main } = await import(root + '/dist/cli/main.js');
let sim;
const origApply = Simulation.prototype.apply;
Simulation.prototype.apply = function (member, effects) { sim ??= this; return origApply.call(this, member, effects); };
await main(['node', 'gossipd', 'simulate', ...process.argv.slice(2)]);
const names = sim.memberNames().filter((n) => sim.isRunning(n));
let missing = 0; const obs = new Map(); const subj = new Map(); const statuses = new Map();
for (const o of names) for (const s of names) { if (o === s) continue; const st = sim.statusOf(o, s); if (st !== 'alive') { missing++; obs.set(o, (obs.get(o) ?? 0) + 1); subj.set(s, (subj.get(s) ?? 0) + 1); statuses.set(st ?? 'unknown', (statuses.get(st ?? 'unknown') ?? 0) + 1); } }
console.error(JSON.stringify({ atS: sim.nowMs / 1000, missing, observers: obs.size, subjects: subj.size, statuses: Object.fromEntries(statuses), topObservers: [...obs].sort((a, b) => b[1] - a[1]).slice(0, 5), topSubjects: [...subj].sort((a, b) => b[1] - a[1]).slice(0, 5) }));
