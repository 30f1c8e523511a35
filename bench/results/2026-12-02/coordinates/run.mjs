// Network coordinate error in the simulator: runs `gossipd simulate`'s scenario runner with the
// region latency model and writes one JSON report per run, with the error at 1, 2 and 5
// simulated minutes (and 10 and 15 for the long run). Build first: npm run build.
// Usage: node bench/results/2026-12-02/coordinates/run.mjs [OUTDIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const { runScenario } = await import(join(root, 'dist/sim/scenario.js'));
const { profileTiming } = await import(join(root, 'dist/protocol/options.js'));
const outDir = process.argv[2] ?? here;
mkdirSync(outDir, { recursive: true });

const MINUTE = 60_000;
const runs = [
  ...[1, 2, 3].map((seed) => ({ nodes: 200, regions: 3, profile: 'tolerance', seed, minutes: 5 })),
  ...[1, 2, 3].map((seed) => ({ nodes: 50, regions: 3, profile: 'tolerance', seed, minutes: 5 })),
  { nodes: 200, regions: 5, profile: 'tolerance', seed: 1, minutes: 5 },
  { nodes: 200, regions: 3, profile: 'lan', seed: 1, minutes: 5 },
  { nodes: 200, regions: 3, profile: 'tolerance', seed: 1, minutes: 15 },
];

for (const run of runs) {
  const durationMs = run.minutes * MINUTE;
  const report = await runScenario({
    nodes: run.nodes,
    durationMs,
    seed: run.seed,
    profile: run.profile,
    protocol: profileTiming(run.profile, null),
    lossRate: 0,
    latencyMs: [1, 5],
    crash: 0,
    pause: null,
    partition: null,
    faultAtMs: durationMs,
    start: 'join',
    regions: run.regions,
    coordinateErrorAtMs: [1, 2, 5, 10].map((m) => m * MINUTE).filter((ms) => ms < durationMs),
  });
  const file = `${run.profile}-n${run.nodes}-r${run.regions}-${run.minutes}m-s${run.seed}.json`;
  writeFileSync(join(outDir, file), `${JSON.stringify({ run, report }, null, 2)}\n`);
  const all = [...report.coordinateErrorOverTime, report.coordinateError];
  console.log(file, all.map((c) => `${c.atMs / MINUTE}m p50 ${(c.p50 * 100).toFixed(1)}% p90 ${(c.p90 * 100).toFixed(1)}% (inside ${(c.insideRegion.p50 * 100).toFixed(1)}%)`).join(' | '), `wall ${report.wallMs} ms`);
}
