// converge: start N agents (paced, each joining through a random running one) and time how long
// until every agent sees every other alive.
import { performance } from 'node:perf_hooks';
import { sleep, waitUntil } from '../wait.js';
import { agreementTimeoutMs, falseAlarmsSince, mark, type FalseAlarms, type ScenarioContext } from './context.js';

export interface ConvergeResult extends FalseAlarms {
  readonly members: number;
  readonly converged: boolean;
  /** From the first join to the last member seen alive by the last agent. */
  readonly fromFirstJoinMs: number | null;
  /** From the moment the last agent was running (agent start-up cost taken out). */
  readonly afterLastStartMs: number | null;
  /** How long starting all agents took. */
  readonly startAllMs: number;
  readonly pacing: string;
  /** When not converged: the fewest others any agent saw alive. */
  readonly fewestSeenAlive: number | null;
}

export async function converge(context: ScenarioContext, n: number): Promise<ConvergeResult> {
  const { cluster, say } = context;
  const since = mark(context);
  await cluster.add();
  const firstJoinMs = performance.now();
  let lastReportMs = firstJoinMs;
  while (cluster.live().length < n) {
    const batch = Math.min(cluster.pacing.concurrent, n - cluster.live().length);
    await Promise.all(Array.from({ length: batch }, () => cluster.add()));
    if (performance.now() - lastReportMs > 5_000) {
      say(`started ${cluster.live().length}/${n} agents`);
      lastReportMs = performance.now();
    }
    if (cluster.pacing.pauseMs > 0) await sleep(cluster.pacing.pauseMs);
  }
  const lastStartMs = performance.now();
  const live = cluster.live();
  const converged = await waitUntil(() => cluster.tracker.converged(live), agreementTimeoutMs(context, n), 100);
  const doneMs = converged ? cluster.tracker.lastAliveAt(live) : null;
  return {
    members: n,
    converged,
    fromFirstJoinMs: doneMs === null ? null : doneMs - firstJoinMs,
    afterLastStartMs: doneMs === null ? null : Math.max(0, doneMs - lastStartMs),
    startAllMs: lastStartMs - firstJoinMs,
    pacing: `${cluster.pacing.concurrent} starts at a time${cluster.pacing.pauseMs > 0 ? `, ${cluster.pacing.pauseMs} ms apart` : ''}, each joining a random running agent`,
    fewestSeenAlive: converged ? null : Math.min(...live.map((name) => cluster.tracker.aliveOthers(name))),
    ...falseAlarmsSince(context, since),
  };
}

/** After a disturbance: wait until everyone running sees everyone running alive again. */
export async function reconverge(context: ScenarioContext): Promise<number | null> {
  const live = context.cluster.live();
  const startMs = performance.now();
  const ok = await waitUntil(() => context.cluster.tracker.converged(live), agreementTimeoutMs(context, live.length), 100);
  return ok ? performance.now() - startMs : null;
}
