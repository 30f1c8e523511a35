// Detection time against the pause tolerance: the simulator (the real core on virtual time) and
// `gossipd plan` for T = 1…10 s at 100 and 1,000 members, as a table and an SVG line chart.
// `npm run bench:tolerance [-- --out DIR]`; a few minutes on 2 cores.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { plan } from '../src/plan/model.js';
import { toleranceProfile } from '../src/protocol/options.js';
import { runScenario } from '../src/sim/scenario.js';

const TOLERANCES_S = [1, 2, 3, 5, 10];
const SIZES = [100, 1000];
const SEEDS = [1, 2, 3];
const CRASHES = 3;

interface Row {
  readonly toleranceS: number;
  readonly nodes: number;
  readonly allP50Ms: number;
  readonly allMaxMs: number;
  readonly planP50Ms: number;
  readonly planP99Ms: number;
  readonly falseFailures: number;
}

async function measure(toleranceS: number, nodes: number): Promise<Row> {
  const protocol = toleranceProfile(toleranceS * 1000);
  const all: number[] = [];
  let falseFailures = 0;
  for (const seed of SEEDS) {
    const report = await runScenario({
      nodes,
      durationMs: 60_000,
      seed,
      profile: 'tolerance',
      protocol,
      lossRate: 0,
      latencyMs: [1, 5],
      crash: CRASHES,
      pause: null,
      partition: null,
      faultAtMs: 20_000,
      start: 'converged',
    });
    falseFailures += report.falseFailures;
    for (const crash of report.crashes) all.push(crash.allDetectMs ?? Infinity);
  }
  all.sort((a, b) => a - b);
  const predicted = plan({ nodes, lossRate: 0, protocol, failureRatePerHour: 0, repairRatePerHour: 2, nameLength: 10 });
  return {
    toleranceS,
    nodes,
    allP50Ms: all[Math.floor(all.length / 2)] ?? NaN,
    allMaxMs: all.at(-1) ?? NaN,
    planP50Ms: predicted.allDetectP50Ms,
    planP99Ms: predicted.allDetectP99Ms,
    falseFailures,
  };
}

function chart(rows: readonly Row[]): string {
  const width = 640;
  const height = 380;
  const left = 60;
  const top = 40;
  const plotW = width - left - 30;
  const plotH = height - top - 70;
  const xMax = Math.max(...TOLERANCES_S);
  const yMax = Math.ceil(Math.max(...rows.map((r) => r.allMaxMs)) / 2000) * 2;
  const x = (s: number): number => left + (s / xMax) * plotW;
  const y = (s: number): number => top + plotH - (s / yMax) * plotH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">Crash: time until all members see it failed, against --pause-tolerance</text>`,
  ];
  for (let s = 0; s <= yMax; s += 2) {
    out.push(`<line x1="${left}" y1="${y(s)}" x2="${left + plotW}" y2="${y(s)}" stroke="#ddd"/>`, `<text x="${left - 6}" y="${y(s) + 4}" font-size="11" text-anchor="end">${s}</text>`);
  }
  for (const t of TOLERANCES_S) out.push(`<text x="${x(t)}" y="${top + plotH + 16}" font-size="11" text-anchor="middle">${t}</text>`);
  out.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 34}" font-size="12" text-anchor="middle">pause tolerance T (s)</text>`,
    `<text x="16" y="${top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${top + plotH / 2})">s</text>`,
    `<polyline points="${TOLERANCES_S.map((t) => `${x(t)},${y(t)}`).join(' ')}" fill="none" stroke="#999" stroke-dasharray="4 4"/>`,
    `<polyline points="${TOLERANCES_S.map((t) => `${x(t)},${y(t + 3)}`).join(' ')}" fill="none" stroke="#999" stroke-dasharray="1 3"/>`,
  );
  const series = [
    { label: 'simulated, 100 members (p50)', color: '#1f77b4', points: rows.filter((r) => r.nodes === 100).map((r) => [r.toleranceS, r.allP50Ms / 1000] as const) },
    { label: 'simulated, 1,000 members (p50)', color: '#2ca02c', points: rows.filter((r) => r.nodes === 1000).map((r) => [r.toleranceS, r.allP50Ms / 1000] as const) },
    { label: 'simulated, slowest of all runs', color: '#d62728', points: TOLERANCES_S.map((t) => [t, Math.max(...rows.filter((r) => r.toleranceS === t).map((r) => r.allMaxMs)) / 1000] as const) },
  ];
  series.forEach((s, i) => {
    out.push(`<polyline points="${s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [t, v] of s.points) out.push(`<circle cx="${x(t).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${s.color}"><title>${s.label}, T=${t} s: ${v.toFixed(2)} s</title></circle>`);
    out.push(`<rect x="${left + i * 190}" y="${height - 22}" width="12" height="12" fill="${s.color}"/>`, `<text x="${left + i * 190 + 16}" y="${height - 12}" font-size="11">${s.label}</text>`);
  });
  out.push(`<text x="${left + plotW}" y="${y(xMax + 3) - 6}" font-size="10" text-anchor="end" fill="#666">dashed: T; dotted: T + 3 s (the target)</text>`, '</svg>', '');
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ?? join('bench', 'results', new Date().toISOString().slice(0, 10));
  mkdirSync(out, { recursive: true });
  const rows: Row[] = [];
  for (const nodes of SIZES) {
    for (const toleranceS of TOLERANCES_S) {
      rows.push(await measure(toleranceS, nodes));
      process.stderr.write(`T=${toleranceS} s, ${nodes} members done\n`);
    }
  }
  const table = [
    `${SEEDS.length} seeds × ${CRASHES} crashes each, no loss, virtual time; plan: gossipd plan --pause-tolerance T`,
    '',
    '| T | members | all detect p50 (sim) | slowest (sim) | plan p50 | plan p99 | false failures |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.toleranceS} s | ${r.nodes} | ${(r.allP50Ms / 1000).toFixed(2)} s | ${(r.allMaxMs / 1000).toFixed(2)} s | ${(r.planP50Ms / 1000).toFixed(2)} s | ${(r.planP99Ms / 1000).toFixed(2)} s | ${r.falseFailures} |`,
    ),
    '',
  ].join('\n');
  writeFileSync(join(out, 'detection-vs-tolerance.md'), table);
  writeFileSync(join(out, 'detection-vs-tolerance.json'), `${JSON.stringify(rows, null, 2)}\n`);
  writeFileSync(join(out, 'detection-vs-tolerance.svg'), chart(rows));
  process.stdout.write(table);
}

await main();
