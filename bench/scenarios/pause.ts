// pause: freeze a member for D seconds (SIGSTOP for a process; a blocked event loop in-process,
// which freezes every agent in it), then count the false failures it caused.
import { performance } from 'node:perf_hooks';
import { sleep } from '../wait.js';
import { reconverge } from './converge.js';
import { falseAlarmsSince, mark, victim, type FalseAlarms, type ScenarioContext } from './context.js';

export interface PauseResult extends FalseAlarms {
  readonly pausedMs: number;
  readonly frozen: string;
  /** Observers that marked the frozen member failed (each one is a false failure). */
  readonly observersThatFailedIt: number;
  /** From the thaw until the last agent saw the last member alive again (0: nobody had doubted it; null: not within the bound). */
  readonly recoveredMs: number | null;
}

export async function pause(context: ScenarioContext, pausedMs: number): Promise<PauseResult> {
  const { cluster } = context;
  const since = mark(context);
  const name = victim(context);
  const frozen = await cluster.pause(name, pausedMs);
  const thawedMs = performance.now();
  await sleep(5 * context.timing.probeIntervalMs);
  const recovered = (await reconverge(context)) === null ? null : Math.max(0, cluster.tracker.lastAliveAt(cluster.live()) - thawedMs);
  const failedIt = new Set(
    cluster.tracker.transitions
      .slice(since.transitions)
      .filter((t) => t.member === name && t.to === 'failed')
      .map((t) => t.observer),
  );
  return {
    pausedMs,
    frozen,
    observersThatFailedIt: failedIt.size,
    recoveredMs: recovered,
    ...falseAlarmsSince(context, since),
  };
}
