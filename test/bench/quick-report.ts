import type { BenchReport, CapacityAttempt, ClusterResult } from '../../bench/results.js';
import type { CrashResult } from '../../bench/scenarios/crash.js';
import type { QueryResult } from '../../bench/scenarios/query.js';
import type { SteadyResult } from '../../bench/scenarios/steady.js';

/**
 * What is wrong with a `--quick` bench report: a scenario that errored, a figure that is
 * missing, or one no working system could produce (zero bytes sent, a crash nobody detected,
 * a query with errors). The bench itself only measures and always exits 0; this is what makes
 * its smoke test able to fail. Rates and latencies are not judged: the machine is shared.
 */
export function quickReportProblems(report: BenchReport): string[] {
  const problems: string[] = [];
  const { settings } = report;
  const ran = report.clusters.filter((cluster) => cluster.skipped === undefined);
  const gossipd = ran.filter((cluster) => cluster.system === 'gossipd');
  for (const mode of settings.modes) {
    if (!gossipd.some((cluster) => cluster.mode === mode)) problems.push(`no gossipd ${mode} cluster ran`);
  }
  for (const cluster of ran) problems.push(...clusterProblems(cluster, report).map((p) => `${cluster.system} ${cluster.mode} N=${cluster.members}: ${p}`));
  if (settings.capacity > 0) {
    const attempts = report.capacity?.attempts ?? [];
    if (attempts.length === 0) problems.push('capacity: no attempt ran');
    for (const attempt of attempts) problems.push(...capacityProblems(attempt).map((p) => `capacity ${attempt.agents} agents: ${p}`));
  }
  if (report.finishedAt === undefined) problems.push('the report has no finishedAt: the run did not finish');
  return problems;
}

function clusterProblems(cluster: ClusterResult, report: BenchReport): string[] {
  const { settings } = report;
  const problems: string[] = [];
  if (cluster.error !== undefined) problems.push(`stopped early: ${cluster.error}`);
  const c = cluster.converge;
  if (c === undefined) problems.push('converge: missing');
  else if (!c.converged || !positive(c.fromFirstJoinMs)) problems.push(`converge: converged ${c.converged} after ${c.fromFirstJoinMs} ms`);
  problems.push(...steadyProblems(cluster.steady, 'steady'));
  problems.push(...queryProblems(cluster.query, 'query'));
  problems.push(...crashProblems(cluster.crash, settings.trials));
  const p = cluster.pause;
  if (p === undefined) problems.push('pause: missing');
  else {
    if (p.trials.length !== settings.pauseTrials) problems.push(`pause: ${p.trials.length} of ${settings.pauseTrials} trials`);
    if (p.recoveredMs === null) problems.push('pause: did not recover within the bound');
  }
  const l = cluster.leave;
  if (l === undefined) problems.push('leave: missing');
  else {
    if (l.trials.length !== settings.trials) problems.push(`leave: ${l.trials.length} of ${settings.trials} trials`);
    if (l.unseen !== 0) problems.push(`leave: ${l.unseen} trials in which some member never saw the leaver leave`);
    if (l.trials.some((trial) => !positive(trial.allLeftMs) || trial.observers === 0)) problems.push('leave: a trial with no time or no observers');
  }
  const loss = cluster.loss;
  if (loss === undefined) problems.push('loss: missing');
  else if (loss.measured) {
    if (!(loss.memberHours > 0)) problems.push(`loss: ${loss.memberHours} member-hours observed`);
    if (loss.recoveredMs === null) problems.push('loss: did not recover within the bound');
  } else if (cluster.mode === 'in-process') {
    // In-process loss is injected in the agents themselves: it can always be measured.
    problems.push(`loss: not measured in-process (${loss.reason})`);
  }
  return problems;
}

function steadyProblems(steady: SteadyResult | undefined, what: string): string[] {
  if (steady === undefined) return [`${what}: missing`];
  const problems: string[] = [];
  if (!(steady.cpuMsPerMemberPerS > 0)) problems.push(`${what}: CPU ${steady.cpuMsPerMemberPerS} ms per member-second`);
  // In-process agents count their own traffic; processes are counted on the namespace's loopback.
  if (steady.own === null && steady.wire === null) problems.push(`${what}: no traffic figures`);
  if (steady.own !== null && (!(steady.own.bytesPerMemberPerS > 0) || !(steady.own.datagramsPerMemberPerS > 0))) {
    problems.push(`${what}: ${steady.own.datagramsPerMemberPerS} datagrams and ${steady.own.bytesPerMemberPerS} bytes per member-second`);
  }
  if (steady.wire !== null && (!(steady.wire.bytesPerMemberPerS > 0) || !(steady.wire.udpDatagramsPerMemberPerS > 0))) {
    problems.push(`${what}: ${steady.wire.udpDatagramsPerMemberPerS} UDP datagrams and ${steady.wire.bytesPerMemberPerS} wire bytes per member-second`);
  }
  if (steady.rssMBPerProcess !== null && !(steady.rssMBPerProcess.mean > 0)) problems.push(`${what}: RSS ${steady.rssMBPerProcess.mean} MB`);
  return problems;
}

function queryProblems(query: QueryResult | undefined, what: string): string[] {
  if (query === undefined) return [`${what}: missing`];
  const problems: string[] = [];
  for (const load of query.http ?? []) {
    if (load.requests === 0 || load.errors > 0 || !(load.responseBytes > 0)) {
      problems.push(`${what}: concurrency ${load.concurrency}: ${load.requests} requests, ${load.errors} errors, ${load.responseBytes} response bytes`);
    }
  }
  const spawn = query.spawn;
  if (spawn.runs > 0 && (spawn.failures > 0 || spawn.members !== query.members)) {
    problems.push(`${what}: \`${spawn.command}\` failed ${spawn.failures} of ${spawn.runs} times, listed ${spawn.members} of ${query.members} members`);
  }
  return problems;
}

function crashProblems(crash: CrashResult | undefined, trials: number): string[] {
  if (crash === undefined) return ['crash: missing'];
  const problems: string[] = [];
  if (crash.trials.length !== trials) problems.push(`crash: ${crash.trials.length} of ${trials} trials`);
  if (crash.undetected !== 0) problems.push(`crash: ${crash.undetected} trials in which some member never detected the crash`);
  for (const trial of crash.trials) {
    if (trial.observers === 0 || trial.detectedBy !== trial.observers || !positive(trial.firstDetectMs) || !positive(trial.allDetectMs)) {
      problems.push(`crash: ${trial.victim} detected by ${trial.detectedBy} of ${trial.observers}, first ${trial.firstDetectMs} ms, all ${trial.allDetectMs} ms`);
    }
  }
  return problems;
}

function capacityProblems(attempt: CapacityAttempt): string[] {
  const problems: string[] = [];
  if (attempt.error !== undefined) problems.push(`stopped early: ${attempt.error}`);
  if (attempt.converge === undefined || !attempt.converge.converged) problems.push('did not converge');
  problems.push(...steadyProblems(attempt.steady, 'steady'));
  problems.push(...queryProblems(attempt.query, 'query'));
  problems.push(...queryProblems(attempt.processQuery, 'query of a joined process'));
  if (attempt.processQuery !== undefined && attempt.processQuery.fullViewMs === null) problems.push('query of a joined process: it never saw every member');
  problems.push(...crashProblems(attempt.crash, 1));
  return problems;
}

function positive(value: number | null): boolean {
  return value !== null && value > 0;
}
