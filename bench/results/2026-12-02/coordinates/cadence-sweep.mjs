// How the sampling rate was chosen (summary.md, "choosing the rate"): for each cadence, the
// coordinate error at N = 200, 3 regions, 1/2/5 simulated minutes (as run.mjs), and the bytes a
// member sends per second in `gossipd simulate --nodes 200 --duration 120s --seed 1 --crash 0`'s
// scenario (as traffic/run.sh). The cadence is COORDINATE_CADENCE (src/protocol/coordinate-cadence.ts),
// overwritten here at run time for the sweep only. Build first: npm run build.
// Usage: node bench/results/2026-12-02/coordinates/cadence-sweep.mjs > cadence-sweep.txt
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const { runScenario } = await import(join(root, 'dist/sim/scenario.js'));
const { profileTiming } = await import(join(root, 'dist/protocol/options.js'));
const { COORDINATE_CADENCE } = await import(join(root, 'dist/protocol/coordinate-cadence.js'));
const chosen = { ...COORDINATE_CADENCE };
const MINUTE = 60_000;
const cadences = [
  { settledEvery: 1, settledError: 0.5, warmupEvery: 1, warmupSamples: 120, note: 'every period (Serf)' },
  { settledEvery: 4, settledError: 0.5, warmupEvery: 2, warmupSamples: 120, note: '' },
  { ...chosen, note: 'chosen' },
  { settledEvery: 16, settledError: 0.5, warmupEvery: 2, warmupSamples: 120, note: '' },
  { settledEvery: 8, settledError: 0.5, warmupEvery: 1, warmupSamples: 120, note: 'warm-up every period' },
  { settledEvery: 8, settledError: 0.25, warmupEvery: 2, warmupSamples: 120, note: 'longer warm-up' },
  { settledEvery: 8, settledError: 2, warmupEvery: 2, warmupSamples: 120, note: 'no warm-up' },
];
const pct = (x) => `${(x * 100).toFixed(1)} %`;
console.log('| settledEvery | settledError | warmupEvery | warmupSamples | note | p50 1 / 2 / 5 min | p90 5 min | inside a region p50 5 min | 120 s: B/s, datagrams/s per member |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const cadence of cadences) {
  Object.assign(COORDINATE_CADENCE, { settledEvery: cadence.settledEvery, settledError: cadence.settledError, warmupEvery: cadence.warmupEvery, warmupSamples: cadence.warmupSamples });
  const durationMs = 5 * MINUTE;
  const error = await runScenario({
    nodes: 200, durationMs, seed: 1, profile: 'tolerance', protocol: profileTiming('tolerance', null), lossRate: 0, latencyMs: [1, 5],
    crash: 0, pause: null, partition: null, faultAtMs: durationMs, start: 'join', regions: 3, coordinateErrorAtMs: [MINUTE, 2 * MINUTE],
  });
  const traffic = await runScenario({
    nodes: 200, durationMs: 2 * MINUTE, seed: 1, profile: 'tolerance', protocol: profileTiming('tolerance', null), lossRate: 0, latencyMs: [1, 5],
    crash: 0, pause: null, partition: null, stall: null, churn: 0, faultAtMs: 40_000, start: 'join',
  });
  const all = [...error.coordinateErrorOverTime, error.coordinateError];
  const last = error.coordinateError;
  console.log(`| ${cadence.settledEvery} | ${cadence.settledError} | ${cadence.warmupEvery} | ${cadence.warmupSamples} | ${cadence.note} | ${all.map((c) => pct(c.p50)).join(' / ')} | ${pct(last.p90)} | ${pct(last.insideRegion.p50)} | ${traffic.perNode.bytesSentPerSec.mean}, ${traffic.perNode.msgsSentPerSec.mean} |`);
}
