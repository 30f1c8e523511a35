import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../bench/results.js';
import { quickReportProblems } from './quick-report.js';

// Smoke test of `npm run bench -- --quick`: it runs, its table and JSON are well formed, and
// every scenario ran and produced a figure a working system can produce (quick-report.ts):
// the bench catches a scenario's error and exits 0, so without this an all-errors run passed.
// Rates and latencies are not judged: benchmarks measure, they do not assert targets.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Children still running: a timed-out test must not leave a bench (and its agents) behind. */
const running = new Set<ChildProcess>();

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Markdown tables as arrays of rows of cells; throws on a ragged or malformed table. */
function tables(markdown: string): string[][][] {
  const found: string[][][] = [];
  let current: string[][] | null = null;
  let separatorSeen = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    expect(line.endsWith('|'), line).toBe(true);
    const cells = line.slice(1, -1).split('|').map((cell) => cell.trim());
    if (current === null) {
      current = [cells];
      separatorSeen = false;
      found.push(current);
      continue;
    }
    expect(cells.length, line).toBe(current[0]?.length);
    if (separatorSeen) current.push(cells);
    else expect(cells.every((cell) => /^-{3,}$/.test(cell)), line).toBe(true);
    separatorSeen = true;
  }
  return found;
}

/** The checker on this run's report, each time with one figure broken: it must object every time. */
function doctoredProblems(text: string): boolean[] {
  const breaks: ((report: BenchReport) => void)[] = [
    (report) => Object.assign(report.clusters[0] ?? {}, { error: 'did not converge' }),
    (report) => Object.assign(report.clusters[0]?.steady?.own ?? {}, { bytesPerMemberPerS: 0 }),
    (report) => Object.assign(report.clusters[0]?.crash ?? {}, { undetected: 1 }),
    (report) => delete report.clusters[0]?.loss,
    (report) => Object.assign(report.clusters[0]?.query?.http?.[0] ?? {}, { errors: 3 }),
  ];
  return breaks.map((change) => {
    const report = JSON.parse(text) as BenchReport;
    change(report);
    return quickReportProblems(report).length > 0;
  });
}

describe('npm run bench -- --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'gossipd-bench-'));
  afterAll(() => {
    // SIGTERM is passed on into the bench's network namespace, where it stops its agents.
    for (const child of running) child.kill('SIGTERM');
    rmSync(out, { recursive: true, force: true });
  });

  it('runs and writes a well-formed table, JSON and SVG', async () => {
    // Only the bench build: `npm test` has built dist/ already, and rebuilding dist/ here would
    // race the end-to-end tests that run `bin/gossipd.js` at the same time.
    const build = await run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bench.json']);
    expect(build.code, build.stdout + build.stderr).toBe(0);

    const bench = await run(['--max-old-space-size=8192', '.bench-build/bench/run.js', '--quick', '--out', out]);
    expect(bench.code, bench.stderr).toBe(0);

    const found = tables(bench.stdout);
    const comparison = found.find((t) => t[0]?.[0] === 'figure');
    expect(comparison?.[0]).toEqual(['figure', 'gossipd (process per agent)', 'Serf', 'ratio gossipd ÷ Serf', 'gossipd (in-process)']);
    expect(comparison?.length).toBeGreaterThan(10);
    expect(bench.stdout).toMatch(/Machine: \d+ cores .* RAM .* load /);

    const files = readdirSync(out);
    const jsonFile = files.find((f) => f.endsWith('.json'));
    expect(jsonFile).toBeDefined();
    const text = readFileSync(join(out, jsonFile ?? ''), 'utf8');
    const report = JSON.parse(text) as Record<string, unknown>;
    expect(report['version']).toBe(1);
    expect(report['machine']).toMatchObject({ cores: expect.any(Number), memoryTotalMB: expect.any(Number) });
    const clusters = report['clusters'] as Array<Record<string, unknown>>;
    expect(clusters.length).toBeGreaterThan(0);
    for (const cluster of clusters) {
      expect(cluster).toMatchObject({ system: expect.any(String), mode: expect.any(String), members: expect.any(Number) });
      expect(cluster['loadAtStart']).toMatchObject({ loadavg1m: expect.any(Number) });
    }
    expect(Array.isArray(report['targets'])).toBe(true);
    const svg = files.find((f) => f.endsWith('.svg'));
    expect(readFileSync(join(out, svg ?? ''), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);

    // Last, so that a failure here means that everything above (all this test checked before)
    // passed: every scenario ran, and no figure is missing or impossible.
    expect(quickReportProblems(report as unknown as BenchReport)).toEqual([]);
    expect(doctoredProblems(text)).toEqual([true, true, true, true, true]);
    // About 2 minutes on an idle machine; the bench first waits up to 3 minutes for idle CPU
    // before each of its three clusters (bench/quiet.ts), which a busy machine uses up.
  }, 900_000);
});
