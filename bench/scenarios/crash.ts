// crash: kill one member abruptly, time until the first and until all others mark it failed;
// then start a replacement so that N stays the same for the next trial.
import { performance } from 'node:perf_hooks';
import { maxSuspicionMs } from '../timing.js';
import { spread, type Spread } from '../stats.js';
import { sleep, waitUntil } from '../wait.js';
import { reconverge } from './converge.js';
import { falseAlarmsSince, mark, victim, type FalseAlarms, type ScenarioContext } from './context.js';

export interface CrashTrial {
  readonly victim: string;
  /** Until some prober raised a suspicion of its own about the victim: the probing phase. */
  readonly firstSuspectMs: number | null;
  readonly firstDetectMs: number | null;
  readonly allDetectMs: number | null;
  readonly observers: number;
  readonly detectedBy: number;
}

export interface CrashResult extends FalseAlarms {
  readonly trials: readonly CrashTrial[];
  /** Kill → first suspicion raised (probing); the rest of first-detect is the suspicion timeout. */
  readonly firstSuspectMs: Spread;
  readonly firstDetectMs: Spread;
  readonly allDetectMs: Spread;
  /** Trials in which some observer never marked the victim failed within the bound. */
  readonly undetected: number;
  /** Why the trials stopped before the count asked for, if they did. */
  readonly stoppedEarly: string | null;
}

export async function crash(context: ScenarioContext, trials: number): Promise<CrashResult> {
  const { cluster, say } = context;
  const since = mark(context);
  const results: CrashTrial[] = [];
  let stoppedEarly: string | null = null;
  for (let trial = 1; trial <= trials; trial++) {
    const name = victim(context);
    const before = cluster.tracker.transitions.length;
    const n = cluster.live().length;
    context.downOnPurpose.add(name);
    const killedMs = performance.now();
    await cluster.crash(name);
    const observers = cluster.live();
    const boundMs = maxSuspicionMs(context.timing, n) + 20 * context.timing.probeIntervalMs + 30_000;
    await waitUntil(() => cluster.tracker.allSee(observers, name, 'failed'), boundMs, 50);
    const detections = new Map<string, number>();
    for (const t of cluster.tracker.transitions.slice(before)) {
      if (t.member === name && t.to === 'failed' && !detections.has(t.observer)) detections.set(t.observer, t.atMs - killedMs);
    }
    const times = observers.map((o) => detections.get(o)).filter((ms): ms is number => ms !== undefined);
    const suspected = cluster.tracker.suspicions.find((s) => s.member === name && s.atMs >= killedMs);
    const result: CrashTrial = {
      victim: name,
      firstSuspectMs: suspected === undefined ? null : suspected.atMs - killedMs,
      firstDetectMs: times.length === 0 ? null : Math.min(...times),
      allDetectMs: times.length === observers.length ? Math.max(...times) : null,
      observers: observers.length,
      detectedBy: times.length,
    };
    results.push(result);
    say(
      `crash ${trial}/${trials} (${name}): first ${seconds(result.firstDetectMs)}, all ${seconds(result.allDetectMs)}` +
        ` (${result.detectedBy}/${result.observers} observers)`,
    );
    await cluster.add();
    if ((await reconverge(context)) === null) {
      stoppedEarly = `after crash trial ${trial}, the replacement did not converge within the bound`;
      break;
    }
    await sleep(2 * context.timing.probeIntervalMs);
  }
  const first = results.map((r) => r.firstDetectMs).filter((ms): ms is number => ms !== null);
  const all = results.map((r) => r.allDetectMs).filter((ms): ms is number => ms !== null);
  return {
    trials: results,
    firstSuspectMs: spread(results.map((r) => r.firstSuspectMs).filter((ms): ms is number => ms !== null)),
    firstDetectMs: spread(first),
    allDetectMs: spread(all),
    undetected: results.filter((r) => r.allDetectMs === null).length,
    stoppedEarly,
    ...falseAlarmsSince(context, since),
  };
}

function seconds(ms: number | null): string {
  return ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`;
}
