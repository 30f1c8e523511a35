// The issue's targets, read off the results (figures to report, not assertions).
import type { BenchReport, ClusterResult, TargetCheck } from '../results.js';

const MEMBERS_P99_TARGET_MS = 5;
const CAPACITY_GOAL = 1000;
const STABILITY_GOAL_S = 300;

/** False failures in the scenarios that inject no fault: converge, steady state, crash trials. */
function faultFreeFalseFailures(c: ClusterResult): number {
  return (c.converge?.falseFailures ?? 0) + (c.steady?.falseFailures ?? 0) + (c.crash?.falseFailures ?? 0);
}

function fmt(value: number | null | undefined, unit: string, decimals = 2): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(decimals)} ${unit}`;
}

export function targets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const n of report.settings.nodes) {
    const ours = report.clusters.find((c) => c.members === n && c.system === 'gossipd' && c.mode === 'multi-process');
    const serf = report.clusters.find((c) => c.members === n && c.system === 'serf');
    if (ours?.crash === undefined) continue;
    const ourP50 = ours.crash.allDetectMs.p50;
    const serfP50 = serf?.crash?.allDetectMs.p50 ?? null;
    const falseFailures = faultFreeFalseFailures(ours);
    checks.push({
      target: 'crash all-detect p50 ≤ Serf\'s, zero false failures (converge, steady, crash)',
      members: n,
      ours: `${fmt(ourP50 === null ? null : ourP50 / 1000, 's')}, ${falseFailures} false failures`,
      serf: serf?.crash ? `${fmt(serfP50 === null ? null : serfP50 / 1000, 's')}, ${faultFreeFalseFailures(serf)} false failures` : 'not run',
      met: ourP50 === null || serfP50 === null ? null : ourP50 <= serfP50 && falseFailures === 0,
    });
    const ourBytes = ours.steady?.wire?.bytesPerMemberPerS ?? null;
    const serfBytes = serf?.steady?.wire?.bytesPerMemberPerS ?? null;
    checks.push({
      target: 'bytes sent per member per second ≤ Serf\'s (wire, same method)',
      members: n,
      ours: fmt(ourBytes, 'B/s', 0),
      serf: fmt(serfBytes, 'B/s', 0),
      met: ourBytes === null || serfBytes === null ? null : ourBytes <= serfBytes,
    });
  }
  const attempts = report.capacity?.attempts ?? [];
  const atGoal = attempts.find((a) => a.agents >= CAPACITY_GOAL);
  const where = [
    ['one gossipd agent process', atGoal?.processQuery],
    ['an in-process agent sharing its loop with all others', atGoal?.query],
  ] as const;
  for (const [label, query] of where) {
    for (const concurrency of [...new Set([1, report.settings.queryConcurrency])]) {
      const load = query?.http?.find((h) => h.concurrency === concurrency);
      checks.push({
        target: `GET /v1/members p99 < ${MEMBERS_P99_TARGET_MS} ms at ${CAPACITY_GOAL} members: ${label}, ${concurrency === 1 ? '1 request at a time' : `${concurrency} concurrent`}`,
        members: atGoal?.agents ?? null,
        ours: load === undefined ? 'not measured' : `p99 ${fmt(load.p99Ms, 'ms')} (p50 ${fmt(load.p50Ms, 'ms')}, ${load.throughputPerS.toFixed(0)} req/s)`,
        serf: 'no HTTP endpoint',
        met: load?.p99Ms == null ? null : load.p99Ms < MEMBERS_P99_TARGET_MS,
      });
    }
  }
  const windows = [atGoal?.window, atGoal?.steady].filter((w) => w !== undefined);
  const windowS = windows.reduce((total, w) => total + w.windowS, 0);
  const falseFailures = windows.reduce((total, w) => total + w.falseFailures, 0);
  const falseSuspicions = windows.reduce((total, w) => total + w.falseSuspicions, 0);
  checks.push({
    target: `${CAPACITY_GOAL} in-process agents stable (no false failure) for ${STABILITY_GOAL_S / 60} min`,
    members: atGoal?.agents ?? null,
    ours:
      atGoal === undefined
        ? 'not run'
        : windows.length === 0
          ? `failed: ${atGoal.error ?? 'no window'}`
          : `${windowS.toFixed(0)} s, ${falseFailures} false failures, ${falseSuspicions} false suspicions`,
    serf: '—',
    met: atGoal === undefined ? null : atGoal.stable && windowS >= STABILITY_GOAL_S - 1,
  });
  return checks;
}
