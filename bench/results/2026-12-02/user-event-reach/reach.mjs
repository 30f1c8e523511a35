// How many (member, event) pairs a user event never reaches, by profile, cluster size and loss.
// Usage: ROOT=<checkout> node reach.mjs [--nodes 4,20,100] [--profiles lan,local] [--loss 0,0.1] [--seeds 20] [--events 10]
import { parseArgs } from 'node:util';
const root = process.env.ROOT ?? process.cwd();
const { Simulation } = await import(`${root}/dist/sim/simulation.js`);
const { PROFILES } = await import(`${root}/dist/protocol/options.js`);
const { values } = parseArgs({ options: { nodes: { type: 'string', default: '4,20,100' }, profiles: { type: 'string', default: 'lan,local' }, loss: { type: 'string', default: '0,0.1' }, seeds: { type: 'string', default: '20' }, events: { type: 'string', default: '10' }, wait: { type: 'string', default: '60000' } } });
const converged = (sim) => { const names = sim.memberNames(); return names.every((o) => names.every((s) => sim.statusOf(o, s) === 'alive')); };
for (const profile of values.profiles.split(',')) for (const n of values.nodes.split(',').map(Number)) for (const loss of values.loss.split(',').map(Number)) {
  let pairs = 0, missed = 0, eventsMissingSomeone = 0, events = 0, lateMs = 0;
  for (let seed = 1; seed <= Number(values.seeds); seed++) {
    const sim = new Simulation({ seed, protocol: PROFILES[profile], lossRate: loss });
    for (let i = 0; i < n; i++) sim.addMember(`m${i}`, i === 0 ? [] : ['m0']);
    if (!sim.runUntil(() => converged(sim), 120_000)) throw new Error(`not converged: ${profile} ${n} seed ${seed}`);
    const got = new Map();
    const start = sim.nowMs;
    sim.onEvent((observer, event, atMs) => { if (event.type === 'user-event') { got.set(`${observer} ${event.id}`, atMs - start); } });
    const ids = [];
    for (let e = 0; e < Number(values.events); e++) { ids.push(sim.sendUserEvent(`m${(e * 7) % n}`, 'deploy', `p${e}`)); sim.runFor(500); }
    sim.runFor(Number(values.wait));
    for (const id of ids) {
      let missing = 0;
      for (const m of sim.memberNames()) { pairs++; const at = got.get(`${m} ${id}`); if (at === undefined) missing++; else lateMs = Math.max(lateMs, at); }
      missed += missing; events++; if (missing > 0) eventsMissingSomeone++;
    }
  }
  console.log(JSON.stringify({ profile, nodes: n, loss, seeds: Number(values.seeds), events, eventsMissingSomeone, pairsMissed: missed, pairs, missedShare: +(missed / pairs).toExponential(2), latestDeliveryMs: lateMs }));
}
