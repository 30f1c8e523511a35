// leave: a member leaves gracefully (SIGINT for processes, agent.leave() in-process); time until
// every other member shows it `left`, and how many marked it failed instead. Several trials,
// each followed by a replacement so that N stays the same.
import { performance } from 'node:perf_hooks';
import { spread, type Spread } from '../stats.js';
import { sleep, waitUntil } from '../wait.js';
import { reconverge } from './converge.js';
import { victim, type ScenarioContext } from './context.js';

export interface LeaveTrial {
  readonly leaver: string;
  readonly firstLeftMs: number | null;
  readonly allLeftMs: number | null;
  readonly observers: number;
  /** Observers that showed the leaver `failed` at some point (a leave should never look like a crash). */
  readonly sawFailed: number;
}

export interface LeaveResult {
  readonly trials: readonly LeaveTrial[];
  readonly allLeftMs: Spread;
  /** Trials in which some observer never showed the leaver `left` within the bound. */
  readonly unseen: number;
  readonly sawFailed: number;
  /** Why the trials stopped before the count asked for, if they did. */
  readonly stoppedEarly: string | null;
}

export async function leave(context: ScenarioContext, trials: number): Promise<LeaveResult> {
  const results: LeaveTrial[] = [];
  let stoppedEarly: string | null = null;
  for (let trial = 1; trial <= trials; trial++) {
    const result = await leaveOnce(context);
    results.push(result);
    context.say(`leave ${trial}/${trials} (${result.leaver}): all see it left after ${result.allLeftMs === null ? 'never' : `${(result.allLeftMs / 1000).toFixed(2)} s`}`);
    if (trial === trials) break;
    await context.cluster.add();
    if ((await reconverge(context)) === null) {
      stoppedEarly = `after leave trial ${trial}, the replacement did not converge within the bound`;
      break;
    }
    await sleep(2 * context.timing.probeIntervalMs);
  }
  return {
    trials: results,
    allLeftMs: spread(results.map((r) => r.allLeftMs).filter((ms): ms is number => ms !== null)),
    unseen: results.filter((r) => r.allLeftMs === null).length,
    sawFailed: results.reduce((sum, r) => sum + r.sawFailed, 0),
    stoppedEarly,
  };
}

async function leaveOnce(context: ScenarioContext): Promise<LeaveTrial> {
  const { cluster } = context;
  const name = victim(context);
  const before = cluster.tracker.transitions.length;
  context.downOnPurpose.add(name);
  const startMs = performance.now();
  cluster.leave(name);
  const observers = cluster.live();
  await waitUntil(() => cluster.tracker.allSee(observers, name, 'left'), 30_000 + 20 * context.timing.probeIntervalMs, 50);
  const left = new Map<string, number>();
  const failed = new Set<string>();
  for (const t of cluster.tracker.transitions.slice(before)) {
    if (t.member !== name) continue;
    if (t.to === 'left' && !left.has(t.observer)) left.set(t.observer, t.atMs - startMs);
    if (t.to === 'failed') failed.add(t.observer);
  }
  const times = observers.map((o) => left.get(o)).filter((ms): ms is number => ms !== undefined);
  return {
    leaver: name,
    firstLeftMs: times.length === 0 ? null : Math.min(...times),
    allLeftMs: times.length === observers.length && times.length > 0 ? Math.max(...times) : null,
    observers: observers.length,
    sawFailed: failed.size,
  };
}
