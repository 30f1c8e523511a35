// The markdown report on stdout: one comparison table (gossipd multi-process, Serf, their ratio,
// gossipd in-process) per cluster size, the in-process capacity run, and the issue's targets.
import { QUIET_MAX_WAIT_MS, QUIET_MIN_IDLE } from '../quiet.js';
import type { Mode, System } from '../cluster.js';
import type { BenchReport, CapacityAttempt, ClusterResult } from '../results.js';
import type { QueryResult } from '../scenarios/query.js';
import type { SteadyResult } from '../scenarios/steady.js';
import { describeMachine, type LoadSnapshot } from './machine.js';

interface Cell {
  readonly text: string;
  /** The figure the ratio is taken of. */
  readonly value: number | null;
}

interface Row {
  readonly figure: string;
  readonly cell: (result: ClusterResult) => Cell | null;
}

const NONE: Cell = { text: '—', value: null };

function num(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(decimals);
}

function cell(value: number | null | undefined, decimals = 2, suffix = ''): Cell {
  return value === null || value === undefined ? NONE : { text: num(value, decimals) + suffix, value };
}

const seconds = (ms: number | null | undefined): number | null => (ms === null || ms === undefined ? null : ms / 1000);

function spreadCell(spread: { p50: number | null; p99: number | null; max: number | null } | undefined): Cell | null {
  if (spread === undefined) return null;
  return {
    text: `${num(seconds(spread.p50))} / ${num(seconds(spread.p99))} / ${num(seconds(spread.max))}`,
    value: seconds(spread.p50),
  };
}

function rows(report: BenchReport): Row[] {
  const s = report.settings;
  return [
    { figure: 'converge: all see N alive, from first join (s)', cell: (r) => (r.converge ? cell(seconds(r.converge.fromFirstJoinMs)) : null) },
    { figure: 'converge: after the last agent is up (s)', cell: (r) => (r.converge ? cell(seconds(r.converge.afterLastStartMs)) : null) },
    { figure: `crash: first suspicion p50 / p99 / max (s), ${s.trials} trials`, cell: (r) => spreadCell(r.crash?.firstSuspectMs) },
    { figure: 'crash: first detect (failed) p50 / p99 / max (s)', cell: (r) => spreadCell(r.crash?.firstDetectMs) },
    { figure: 'crash: all detect p50 / p99 / max (s)', cell: (r) => spreadCell(r.crash?.allDetectMs) },
    {
      figure: 'crash: trials where some member never marked it failed',
      cell: (r) => (r.crash ? { text: `${r.crash.undetected} of ${r.crash.trials.length}`, value: r.crash.undetected } : null),
    },
    {
      figure: 'crash: false failures / false suspicions during the trials',
      cell: (r) => (r.crash ? { text: `${r.crash.falseFailures} / ${r.crash.falseSuspicions}`, value: r.crash.falseFailures } : null),
    },
    {
      figure: `pause ${s.pauseSeconds} s: trials where it was marked failed / false failures / false suspicions`,
      cell: (r) =>
        r.pause
          ? { text: `${r.pause.trialsWithFalseFailure} of ${r.pause.trials.length} / ${r.pause.falseFailures} / ${r.pause.falseSuspicions}`, value: r.pause.falseFailures }
          : null,
    },
    { figure: 'leave: all see it left p50 / p99 / max (s), trials where all did', cell: (r) => spreadCell(r.leave?.allLeftMs) },
    {
      figure: 'leave: trials where some member never saw it left / members that showed it failed',
      cell: (r) => (r.leave ? { text: `${r.leave.unseen} of ${r.leave.trials.length} / ${r.leave.sawFailed}`, value: r.leave.unseen } : null),
    },
    {
      figure: `loss ${s.lossPercent} %: false suspicions / member-hour`,
      cell: (r) => (r.loss === undefined ? null : r.loss.measured ? cell(r.loss.falseSuspicionsPerMemberHour, 1) : { text: 'not measured', value: null }),
    },
    {
      figure: `loss ${s.lossPercent} %: false failures / member-hour`,
      cell: (r) => (r.loss === undefined ? null : r.loss.measured ? cell(r.loss.falseFailuresPerMemberHour, 1) : { text: 'not measured', value: null }),
    },
    { figure: 'CPU ms / member / s', cell: (r) => (r.steady ? cell(r.steady.cpuMsPerMemberPerS, 3) : null) },
    {
      figure: 'RSS MB per agent process (in-process: per member)',
      cell: (r) =>
        r.steady === undefined
          ? null
          : r.steady.rssMBPerProcess !== null
            ? cell(r.steady.rssMBPerProcess.mean, 1)
            : cell(r.steady.rssMBPerMember, 2),
    },
    { figure: 'packets sent / member / s (wire: loopback, all protocols)', cell: (r) => (r.steady ? cell(r.steady.wire?.packetsPerMemberPerS, 2) : null) },
    { figure: 'bytes sent / member / s (wire: loopback, IP+UDP/TCP headers included)', cell: (r) => (r.steady ? cell(r.steady.wire?.bytesPerMemberPerS, 0) : null) },
    { figure: 'bytes sent / member / s (own counters: UDP payload)', cell: (r) => (r.steady?.own ? cell(r.steady.own.bytesPerMemberPerS, 0) : null) },
    {
      figure: 'GET /v1/members, 1 at a time: p50 / p99 (ms)',
      cell: (r) => httpCell(r, 1),
    },
    {
      figure: `GET /v1/members, ${s.queryConcurrency} concurrent: req/s, p50 / p99 (ms)`,
      cell: (r) => httpCell(r, s.queryConcurrency),
    },
    {
      figure: 'list members via the CLI (a process spawn): p50 / p99 (ms)',
      cell: (r) =>
        r.query?.spawn.p50Ms == null ? null : { text: `${num(r.query.spawn.p50Ms, 1)} / ${num(r.query.spawn.p99Ms, 1)}`, value: r.query.spawn.p50Ms },
    },
    {
      figure: `CPU idle before the start (waited for ≥ ${QUIET_MIN_IDLE * 100} %, at most ${QUIET_MAX_WAIT_MS / 60_000} min)`,
      cell: (r) => (r.quietStart?.idle == null ? null : { text: `${(r.quietStart.idle * 100).toFixed(0)} % after ${(r.quietStart.waitedMs / 1000).toFixed(0)} s`, value: null }),
    },
    { figure: 'machine load (1 min) at start → end', cell: (r) => ({ text: `${r.loadAtStart.loadavg1m} → ${r.loadAtEnd?.loadavg1m ?? '—'}`, value: null }) },
  ];
}

function httpCell(result: ClusterResult, concurrency: number): Cell | null {
  const load = result.query?.http?.find((h) => h.concurrency === concurrency);
  if (load === undefined) return null;
  const latency = `${num(load.p50Ms, 2)} / ${num(load.p99Ms, 2)}`;
  return { text: concurrency === 1 ? latency : `${num(load.throughputPerS, 0)}, ${latency}`, value: load.p50Ms };
}

function find(report: BenchReport, n: number, system: System, mode: Mode): ClusterResult | undefined {
  return report.clusters.find((c) => c.members === n && c.system === system && c.mode === mode);
}

function status(result: ClusterResult | undefined): string {
  if (result === undefined) return 'not run';
  if (result.skipped !== undefined) return `skipped: ${result.skipped}`;
  return '';
}

function comparisonTable(report: BenchReport, n: number): string[] {
  const ours = find(report, n, 'gossipd', 'multi-process');
  const serf = find(report, n, 'serf', 'multi-process');
  const inProcess = find(report, n, 'gossipd', 'in-process');
  const lines = [
    `### N = ${n}`,
    '',
    '| figure | gossipd (process per agent) | Serf | ratio gossipd ÷ Serf | gossipd (in-process) |',
    '|---|---|---|---|---|',
  ];
  for (const row of rows(report)) {
    const a = ours?.skipped === undefined && ours !== undefined ? row.cell(ours) : null;
    const b = serf?.skipped === undefined && serf !== undefined ? row.cell(serf) : null;
    const c = inProcess?.skipped === undefined && inProcess !== undefined ? row.cell(inProcess) : null;
    const ratio = a?.value != null && b?.value != null && b.value !== 0 ? (a.value / b.value).toFixed(2) : '—';
    lines.push(`| ${row.figure} | ${a?.text ?? '—'} | ${b?.text ?? '—'} | ${ratio} | ${c?.text ?? '—'} |`);
  }
  const notes = [
    ['gossipd (process per agent)', ours],
    ['Serf', serf],
    ['gossipd (in-process)', inProcess],
  ] as const;
  for (const [label, result] of notes) {
    const why = status(result) || (result?.error === undefined ? '' : `stopped early: ${result.error}`);
    if (why !== '') lines.push('', `${label}: ${why}`);
  }
  return lines;
}

function capacityTable(report: BenchReport): string[] {
  const capacity = report.capacity;
  if (capacity === null) return [];
  const c = report.settings.queryConcurrency;
  const lines = [
    `### In-process capacity: one Node.js process, goal ${capacity.goal} agents with no false failure for ${capacity.windowS} s`,
    '',
    'The window starts right after convergence, so it includes the join storm\'s gossip; the steady figures are its last ' +
      `${Math.min(report.settings.steadySeconds, capacity.windowS)} s. /v1/members is asked of an in-process agent (its event loop shared with ` +
      'every other agent) and of one `gossipd agent` process joined to the cluster (as on a real host).',
    '',
    '| agents | converge (s) | whole window: false failures / false suspicions / probes gated by loop stalls | loop delay p99 / max (ms) | CPU ms / member / s | process RSS (MB) | bytes / member / s (own) | ' +
      `/v1/members in-process: 1 at a time p50 / p99 (ms); ${c} concurrent req/s, p99 | /v1/members agent process: 1 at a time p50 / p99 (ms); ${c} concurrent req/s, p99 | crash all-detect (s) | load start → end | stable |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const a of capacity.attempts) lines.push(capacityRow(a, c));
  lines.push('', capacity.stableAgents === null ? 'No attempt was stable.' : `Largest stable: ${capacity.stableAgents} agents.`);
  for (const a of capacity.attempts) if (a.error !== undefined) lines.push('', `${a.agents} agents: ${a.error}`);
  return lines;
}

function queryText(query: QueryResult | undefined, concurrency: number): string {
  const one = query?.http?.find((h) => h.concurrency === 1);
  const many = query?.http?.find((h) => h.concurrency === concurrency);
  if (one === undefined && many === undefined) return '—';
  return `${num(one?.p50Ms)} / ${num(one?.p99Ms)}; ${num(many?.throughputPerS, 0)}, ${num(many?.p99Ms)}`;
}

function capacityRow(a: CapacityAttempt, concurrency: number): string {
  const parts = [a.window, a.steady].filter((w): w is SteadyResult => w !== undefined);
  const sum = (pick: (w: SteadyResult) => number): number => parts.reduce((total, w) => total + pick(w), 0);
  const s = a.steady;
  return (
    `| ${a.agents} | ${num(seconds(a.converge?.fromFirstJoinMs))} | ` +
    `${parts.length === 0 ? '—' : `${sum((w) => w.falseFailures)} / ${sum((w) => w.falseSuspicions)} / ${sum((w) => w.gatedProbes)}`} | ` +
    `${parts.length === 0 ? '—' : `${num(Math.max(...parts.map((w) => w.loopDelayMs.p99)), 1)} / ${num(Math.max(...parts.map((w) => w.loopDelayMs.max)), 1)}`} | ` +
    `${num(s?.cpuMsPerMemberPerS, 3)} | ${s?.rssMBPerMember != null ? num(s.rssMBPerMember * s.members, 0) : '—'} | ${num(s?.own?.bytesPerMemberPerS, 0)} | ` +
    `${queryText(a.query, concurrency)} | ${queryText(a.processQuery, concurrency)} | ` +
    `${num(seconds(a.crash?.allDetectMs.p50))} | ${load(a.loadAtStart, a.loadAtEnd)} | ${a.stable ? 'yes' : 'no'} |`
  );
}

function load(start: LoadSnapshot, end: LoadSnapshot | undefined): string {
  return `${start.loadavg1m} → ${end?.loadavg1m ?? '—'}`;
}

function targetsTable(report: BenchReport): string[] {
  if (report.targets.length === 0) return [];
  const lines = ['### Targets of issue 4', '', '| target | N | gossipd | Serf | met |', '|---|---|---|---|---|'];
  for (const t of report.targets) {
    lines.push(`| ${t.target} | ${t.members ?? '—'} | ${t.ours} | ${t.serf} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'no'} |`);
  }
  return lines;
}

export function markdownReport(report: BenchReport, endLoad: LoadSnapshot): string {
  const s = report.settings;
  const lines = [
    `## gossipd benchmark — profile \`${s.profile}\`${s.quick ? ' (--quick)' : ''}, ${report.startedAt}`,
    '',
    `Machine: ${describeMachine(report.machine, endLoad)}.`,
    `Serf: ${report.serf.version ?? 'not run'} — ${report.serf.note}`,
    '',
  ];
  for (const n of s.nodes) lines.push(...comparisonTable(report, n), '');
  lines.push(...capacityTable(report), '', ...targetsTable(report), '', ...methodNotes(report));
  return lines.join('\n') + '\n';
}

function methodNotes(report: BenchReport): string[] {
  const s = report.settings;
  return [
    'How: real agents over real UDP on 127.0.0.1. Membership times come from each agent\'s own status-change log lines ' +
      '(gossipd JSON logs; Serf "EventMember…" lines), stamped on arrival at the bench. ' +
      'False suspicions: suspicions raised by a prober about a member that was up (Serf: "Suspect X has failed" lines, repeats within one suspicion timeout merged). ' +
      `Crash = SIGKILL (in-process: the agent closes its sockets silently); leave = SIGINT (in-process: agent.leave()); pause = SIGSTOP/SIGCONT of one process (in-process: the event loop blocked for ${s.pauseSeconds} s, freezing every agent). ` +
      'Wire traffic: deltas of /proc/net/dev (lo) and /proc/net/snmp over the quiet window, measured the same way for both systems; ' +
      'Serf also uses TCP (push-pull), which is included. Ratio = first figure of the gossipd cell ÷ that of Serf (for spreads: p50).',
  ];
}
