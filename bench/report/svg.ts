// A hand-written SVG chart: crash detection time (all members, p50) and bytes sent per member
// per second against cluster size, for each system. No chart library.
import type { Mode, System } from '../cluster.js';
import type { BenchReport } from '../results.js';

interface Point {
  readonly n: number;
  readonly value: number;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly Point[];
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
}

const WIDTH = 900;
const HEIGHT = 380;
const PANEL_WIDTH = 400;
const MARGIN = { left: 70, top: 50, bottom: 60 };
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
const PLOT_WIDTH = PANEL_WIDTH - MARGIN.left - 20;

const SYSTEMS: ReadonlyArray<{ label: string; color: string; system: System; mode: Mode }> = [
  { label: 'gossipd (process per agent)', color: '#1f77b4', system: 'gossipd', mode: 'multi-process' },
  { label: 'gossipd (in-process)', color: '#2ca02c', system: 'gossipd', mode: 'in-process' },
  { label: 'Serf', color: '#d62728', system: 'serf', mode: 'multi-process' },
];

function panels(report: BenchReport): Panel[] {
  const collect = (pick: (system: System, mode: Mode) => Point[]): Series[] =>
    SYSTEMS.map(({ label, color, system, mode }) => ({ label, color, points: pick(system, mode).sort((a, b) => a.n - b.n) }));
  const capacity = report.capacity?.attempts.filter((a) => a.stable) ?? [];
  const detection = collect((system, mode) => {
    const points = report.clusters
      .filter((c) => c.system === system && c.mode === mode && c.crash?.allDetectMs.p50 != null)
      .map((c) => ({ n: c.members, value: (c.crash?.allDetectMs.p50 ?? 0) / 1000 }));
    if (system === 'gossipd' && mode === 'in-process') {
      for (const a of capacity) if (a.crash?.allDetectMs.p50 != null) points.push({ n: a.agents, value: a.crash.allDetectMs.p50 / 1000 });
    }
    return points;
  });
  const bytes = collect((system, mode) => {
    const points = report.clusters
      .filter((c) => c.system === system && c.mode === mode && c.steady !== undefined)
      .map((c) => ({ n: c.members, value: c.steady?.wire?.bytesPerMemberPerS ?? c.steady?.own?.bytesPerMemberPerS ?? NaN }));
    if (system === 'gossipd' && mode === 'in-process') {
      for (const a of capacity) if (a.steady) points.push({ n: a.agents, value: a.steady.wire?.bytesPerMemberPerS ?? a.steady.own?.bytesPerMemberPerS ?? NaN });
    }
    return points.filter((p) => Number.isFinite(p.value));
  });
  return [
    { title: 'Crash: time until all members see it failed (p50)', unit: 's', series: detection },
    { title: 'Bytes sent per member per second (wire)', unit: 'B/s', series: bytes },
  ];
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}

function drawPanel(panel: Panel, offsetX: number, sizes: readonly number[]): string[] {
  const all = panel.series.flatMap((s) => s.points);
  const yMax = niceMax(Math.max(0, ...all.map((p) => p.value)) * 1.05);
  const xMin = Math.log10(Math.min(...sizes));
  const xMax = Math.log10(Math.max(...sizes));
  const x = (n: number): number =>
    offsetX + MARGIN.left + (xMax === xMin ? PLOT_WIDTH / 2 : ((Math.log10(n) - xMin) / (xMax - xMin)) * PLOT_WIDTH);
  const y = (v: number): number => MARGIN.top + PLOT_HEIGHT - (v / yMax) * PLOT_HEIGHT;
  const out: string[] = [
    `<text x="${offsetX + MARGIN.left}" y="${MARGIN.top - 20}" font-size="14" font-weight="bold">${escape(panel.title)}</text>`,
    `<line x1="${offsetX + MARGIN.left}" y1="${MARGIN.top + PLOT_HEIGHT}" x2="${offsetX + MARGIN.left + PLOT_WIDTH}" y2="${MARGIN.top + PLOT_HEIGHT}" stroke="#333"/>`,
    `<line x1="${offsetX + MARGIN.left}" y1="${MARGIN.top}" x2="${offsetX + MARGIN.left}" y2="${MARGIN.top + PLOT_HEIGHT}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    out.push(
      `<line x1="${offsetX + MARGIN.left}" y1="${y(v)}" x2="${offsetX + MARGIN.left + PLOT_WIDTH}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${offsetX + MARGIN.left - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end">${Number(v.toPrecision(3))}</text>`,
    );
  }
  for (const n of sizes) {
    out.push(`<text x="${x(n)}" y="${MARGIN.top + PLOT_HEIGHT + 18}" font-size="11" text-anchor="middle">${n}</text>`);
  }
  out.push(
    `<text x="${offsetX + MARGIN.left + PLOT_WIDTH / 2}" y="${MARGIN.top + PLOT_HEIGHT + 38}" font-size="12" text-anchor="middle">members (N, log scale)</text>`,
    `<text x="${offsetX + 18}" y="${MARGIN.top + PLOT_HEIGHT / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${offsetX + 18} ${MARGIN.top + PLOT_HEIGHT / 2})">${escape(panel.unit)}</text>`,
  );
  for (const series of panel.series) {
    if (series.points.length === 0) continue;
    const path = series.points.map((p) => `${x(p.n).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
    for (const p of series.points) {
      out.push(`<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3.5" fill="${series.color}"><title>${escape(`${series.label}, N=${p.n}: ${p.value.toPrecision(3)} ${panel.unit}`)}</title></circle>`);
    }
  }
  return out;
}

export function svgChart(report: BenchReport): string {
  const chartPanels = panels(report);
  const sizes = [...new Set(chartPanels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.n))))].sort((a, b) => a - b);
  const body: string[] = [];
  if (sizes.length === 0) {
    body.push(`<text x="20" y="40" font-size="14">No crash or steady-state figures in this run.</text>`);
  } else {
    chartPanels.forEach((panel, i) => body.push(...drawPanel(panel, i * (PANEL_WIDTH + 50), sizes)));
  }
  const legend = SYSTEMS.map(
    (s, i) =>
      `<rect x="${MARGIN.left + i * 250}" y="${HEIGHT - 14}" width="12" height="12" fill="${s.color}"/>` +
      `<text x="${MARGIN.left + i * 250 + 18}" y="${HEIGHT - 4}" font-size="12">${escape(s.label)}</text>`,
  );
  const caption = `profile ${report.settings.profile}, ${report.machine.cores} cores, ${report.startedAt}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT + 10}" viewBox="0 0 ${WIDTH} ${HEIGHT + 10}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    ...legend,
    `<text x="${WIDTH - 10}" y="16" font-size="10" text-anchor="end" fill="#666">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
