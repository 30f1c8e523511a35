// GET /ui at 1,000 members in headless chromium: page size, time to render the member table,
// and whether a burst of membership events freezes the tab. The agent is a FAKE: the real
// HTTP server (src/http/server.ts, so the real page, headers and event stream) in front of a
// made-up AgentApi holding 1,000 members and a real EventLog that the bench appends to. With
// `coordinates`, a small proxy in front also answers GET /v1/coordinates with synthetic
// Vivaldi coordinates (three regions), so the map and the RTT column are drawn too.
//
// Run: npm run bench:ui [-- runs] (needs chromium on PATH or $CHROMIUM). Writes
// bench/results/<date>/ui/render-1000.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { startHttpServer, type MembershipHttpServer } from '../src/http/server.js';
import { UI_FILES } from '../src/http/ui-route.js';
import type { MemberStatus } from '../src/protocol/types.js';
import { Chromium, findChromium, type Page } from '../test/browser/chromium.js';
import { FakeAgent, fakeCoordinates, startCoordinatesProxy } from '../test/browser/fake-agent.js';
import { RESULTS_DIR } from './paths.js';

const MEMBERS = 1_000;
const RUNS = Number(process.argv[2] ?? 5);
/** Status changes appended in one burst, and over how long. */
const BURST_EVENTS = 2_000;
const BURST_MS = 2_000;
const VIEWPORT = { width: 1280, height: 900 };

// ---------------------------------------------------------------- the measurements

/** Runs in the page before its own scripts: long tasks and animation-frame times. */
const PROBE = `
  window.__bench = { longTasks: [], frames: [] };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  const frame = (t) => { window.__bench.frames.push(t); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
`;

interface Probe {
  readonly longTasks: { start: number; duration: number }[];
  readonly frames: number[];
}

interface RunResult {
  readonly domContentLoadedMs: number;
  /** navigation start → the page's mark after it built the 1,000 rows (script work done). */
  readonly membersRenderedMs: number;
  /** navigation start → the first animation frame after that mark (style, layout and paint done). */
  readonly firstFrameAfterRenderMs: number;
  readonly loadLongestTaskMs: number;
  readonly loadMetrics: Record<string, number>;
  readonly burst: {
    readonly events: number;
    readonly overMs: number;
    /** last event appended → the page shows it. */
    readonly caughtUpAfterMs: number;
    readonly longestFrameGapMs: number;
    readonly longTasks: number;
    readonly longestTaskMs: number;
    /** Chromium's time spent during the burst (script, layout, style, all tasks), ms. */
    readonly busyMs: Record<string, number>;
  };
}

async function oneRun(browser: Chromium, agent: FakeAgent, url: string, screenshot?: string): Promise<RunResult> {
  const page = await browser.newPage();
  try {
    await page.setViewport(VIEWPORT.width, VIEWPORT.height);
    await page.send('Performance.enable');
    await page.send('Page.addScriptToEvaluateOnNewDocument', { source: PROBE });
    await page.navigate(url);
    const rendered = await page.waitFor(`document.querySelectorAll('#members .rows .row').length === ${MEMBERS} && performance.getEntriesByName('gossipd-ui:members-rendered').length === 1`, 60_000);
    if (!rendered) throw new Error('the page did not render the members within 60 s');
    await sleep(1_500); // the frames after the render, metrics and coordinates fetched
    const load = await page.evaluate<{ dcl: number; mark: number; frames: number[]; longTasks: Probe['longTasks'] }>(`({
      dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      mark: performance.getEntriesByName('gossipd-ui:members-rendered')[0].startTime,
      frames: window.__bench.frames,
      longTasks: window.__bench.longTasks,
    })`);
    const metrics = (await page.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const wanted = ['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'TaskDuration', 'JSHeapUsedSize', 'Nodes'];
    const loadMetrics = Object.fromEntries(
      metrics.metrics.filter((m) => wanted.includes(m.name)).map((m) => [m.name, m.name.endsWith('Duration') ? round(m.value * 1000) : m.value]),
    );
    if (screenshot !== undefined) {
      // Sorted by estimated RTT, so the picture shows the map and the RTT column at work.
      await page.evaluate(`(() => { const s = document.getElementById('sort'); s.value = 'rtt'; s.dispatchEvent(new Event('change')); })()`);
      await sleep(500);
      writeFileSync(screenshot, await page.screenshotPng());
    }
    const burst = await runBurst(page, agent);
    return {
      domContentLoadedMs: round(load.dcl),
      membersRenderedMs: round(load.mark),
      firstFrameAfterRenderMs: round(load.frames.find((t) => t > load.mark) ?? NaN),
      loadLongestTaskMs: round(Math.max(0, ...load.longTasks.map((t) => t.duration))),
      loadMetrics,
      burst,
    };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** Chromium's own counters for the page: time spent (ms) in script, layout, style and tasks; DOM nodes; heap. */
async function browserMetrics(page: Page): Promise<Record<string, number>> {
  const metrics = (await page.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const wanted = ['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'TaskDuration', 'JSHeapUsedSize', 'Nodes'];
  return Object.fromEntries(metrics.metrics.filter((m) => wanted.includes(m.name)).map((m) => [m.name, m.name.endsWith('Duration') ? round(m.value * 1000) : m.value]));
}

/** BURST_EVENTS status changes spread evenly over BURST_MS, then wait until the page shows the last. */
async function runBurst(page: Page, agent: FakeAgent): Promise<RunResult['burst']> {
  const names = [...agent.members.keys()];
  const startedAt = await page.evaluate<number>('performance.now()');
  const before = await browserMetrics(page);
  const intervalMs = BURST_MS / (BURST_EVENTS / 20);
  let last = { name: '', status: 'alive' as MemberStatus };
  for (let sent = 0; sent < BURST_EVENTS; ) {
    for (let k = 0; k < 20 && sent < BURST_EVENTS; k++, sent++) {
      const name = names[(sent * 37) % names.length] ?? '';
      const current = agent.members.get(name)?.status ?? 'alive';
      const status: MemberStatus = current === 'alive' ? 'suspect' : current === 'suspect' ? 'failed' : 'alive';
      agent.change(name, status);
      last = { name, status };
    }
    await sleep(intervalMs);
  }
  const appendedAt = Date.now();
  const shown = await page.waitFor(`document.querySelector('#members .row[data-name="${last.name}"]')?.dataset.status === '${last.status}'`, 30_000);
  const caughtUpAfterMs = Date.now() - appendedAt;
  if (!shown) throw new Error('the page did not show the last event of the burst within 30 s');
  await sleep(500);
  const after = await browserMetrics(page);
  const probe = await page.evaluate<Probe>('window.__bench');
  const frames = probe.frames.filter((t) => t >= startedAt);
  let longestGap = 0;
  for (let i = 1; i < frames.length; i++) longestGap = Math.max(longestGap, (frames[i] ?? 0) - (frames[i - 1] ?? 0));
  const tasks = probe.longTasks.filter((t) => t.start >= startedAt);
  // Back to all alive for the next run.
  for (const [name, member] of agent.members) if (member.status !== 'alive') agent.change(name, 'alive');
  return {
    events: BURST_EVENTS,
    overMs: BURST_MS,
    caughtUpAfterMs,
    longestFrameGapMs: round(longestGap),
    longTasks: tasks.length,
    longestTaskMs: round(Math.max(0, ...tasks.map((t) => t.duration))),
    busyMs: Object.fromEntries(['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'TaskDuration'].map((k) => [k, round((after[k] ?? 0) - (before[k] ?? 0))])),
  };
}

async function pageBytes(base: string): Promise<Record<string, { bytes: number; gzipBytes: number }>> {
  const out: Record<string, { bytes: number; gzipBytes: number }> = {};
  for (const name of Object.keys(UI_FILES)) {
    const path = name === 'index.html' ? '/ui' : `/ui/${name}`;
    const body = Buffer.from(await (await fetch(`${base}${path}`)).arrayBuffer());
    out[path] = { bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function summarise(runs: readonly RunResult[]): Record<string, { median: number; max: number }> {
  const pick: Record<string, (r: RunResult) => number> = {
    membersRenderedMs: (r) => r.membersRenderedMs,
    firstFrameAfterRenderMs: (r) => r.firstFrameAfterRenderMs,
    loadLongestTaskMs: (r) => r.loadLongestTaskMs,
    burstCaughtUpAfterMs: (r) => r.burst.caughtUpAfterMs,
    burstLongestFrameGapMs: (r) => r.burst.longestFrameGapMs,
    burstLongestTaskMs: (r) => r.burst.longestTaskMs,
    burstLongTasks: (r) => r.burst.longTasks,
  };
  return Object.fromEntries(Object.entries(pick).map(([key, f]) => [key, { median: median(runs.map(f)), max: Math.max(...runs.map(f)) }]));
}

async function main(): Promise<void> {
  const executable = findChromium();
  if (executable === null) throw new Error('no chromium on PATH (apt-get install chromium, or set $CHROMIUM)');
  const agent = new FakeAgent(MEMBERS, { withEventLog: true });
  let server: MembershipHttpServer | undefined;
  let proxy: Server | undefined;
  const browser = Chromium.launch(executable, VIEWPORT);
  try {
    server = await startHttpServer(agent.api(), { host: '127.0.0.1', port: 0 });
    proxy = await startCoordinatesProxy(server.address, fakeCoordinates([...agent.members.keys()], 0.002));
    const plain = `http://127.0.0.1:${server.address.port}`;
    const withCoordinates = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const bytes = await pageBytes(plain);
    const scenarios: Record<string, RunResult[]> = { 'no-coordinates': [], coordinates: [] };
    const dir = `${RESULTS_DIR}/2026-12-02/ui`;
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < RUNS; i++) {
      scenarios['no-coordinates']!.push(await oneRun(browser, agent, `${plain}/ui`));
      scenarios['coordinates']!.push(await oneRun(browser, agent, `${withCoordinates}/ui`, i === 0 ? `${dir}/render-1000-coordinates.png` : undefined));
      console.error(`run ${i + 1}/${RUNS} done`);
    }
    const version = ((await browser.send('Browser.getVersion')) as { product: string }).product;
    const result = {
      what: 'GET /ui at 1,000 members in headless chromium, against a FAKE agent (real HTTP server and event log, made-up members); see bench/ui-render.ts',
      command: `npm run bench:ui -- ${RUNS}`,
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', loadavg1m: round(loadavg()[0] ?? NaN), node: process.version, browser: version },
      members: MEMBERS,
      viewport: VIEWPORT,
      pageBytes: {
        files: bytes,
        totalBytes: Object.values(bytes).reduce((s, f) => s + f.bytes, 0),
        totalGzipBytes: Object.values(bytes).reduce((s, f) => s + f.gzipBytes, 0),
        note: 'the agent serves the files uncompressed; gzip sizes are for reference',
      },
      membersJsonBytes: Buffer.from(await (await fetch(`${plain}/v1/members`)).arrayBuffer()).length,
      burst: { events: BURST_EVENTS, overMs: BURST_MS, note: 'status changes (alive → suspect → failed → alive) spread over 1,000 members, appended to the event log 20 at a time' },
      summary: Object.fromEntries(Object.entries(scenarios).map(([name, runs]) => [name, summarise(runs)])),
      runs: scenarios,
    };
    writeFileSync(`${dir}/render-1000.json`, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify({ pageBytes: result.pageBytes.totalBytes, gzip: result.pageBytes.totalGzipBytes, summary: result.summary }, null, 2));
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => (proxy === undefined ? resolve() : proxy.close(() => resolve())));
    await server?.close();
  }
}

await main();
