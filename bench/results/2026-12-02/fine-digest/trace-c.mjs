// usage: node trace-c.mjs ROOT SEED — same-side 'failed' marks over time in scenario c
const root = process.argv[2], seed = Number(process.argv[3]);
const { Simulation } = await import(`${root}/dist/sim/simulation.js`);
const { runScenario } = await import(`${root}/dist/sim/scenario.js`);
const { PROFILES } = await import(`${root}/dist/protocol/options.js`);
const marks = [];
const orig = Simulation.prototype.onEvent;
Simulation.prototype.onEvent = function (listener) {
  return orig.call(this, (observer, event, atMs) => {
    if (event.type === 'member-changed' && event.member.status === 'failed' && event.previous !== 'failed') marks.push([atMs, observer, event.member.name, event.member.statusFrom, event.member.incarnation]);
    listener(observer, event, atMs);
  });
};
const report = await runScenario({ nodes: 60, durationMs: 200_000, seed, profile: 'lan', protocol: PROFILES.lan, lossRate: 0, latencyMs: [1, 5], crash: 0, pause: null, partition: { fraction: 0.3, durationMs: 40_000, oneWay: false }, faultAtMs: 66_666, start: 'join', wire: 'direct' });
console.log('falseFailures', report.falseFailures, 'healedMs', report.healedMs);
const byBucket = new Map();
for (const [t] of marks) { const b = Math.floor(t / 1000); byBucket.set(b, (byBucket.get(b) ?? 0) + 1); }
console.log([...byBucket].map(([b, n]) => `${b}s:${n}`).join(' '));
console.log(JSON.stringify(marks.filter(m => m[0] > 106_000).slice(0, 30)));
