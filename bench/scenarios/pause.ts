// pause: freeze a member for D seconds (SIGSTOP for a process; a blocked event loop in-process,
// which freezes every agent in it), then count the false failures it caused. Several trials,
// each on another member, since one pause says little about a race with a suspicion timeout.
import { performance } from 'node:perf_hooks';
import { sleep } from '../wait.js';
import { reconverge } from './converge.js';
import { falseAlarmsSince, mark, victim, type FalseAlarms, type ScenarioContext } from './context.js';

export interface PauseTrial {
  readonly frozen: string;
  /** Observers that marked the frozen member failed (each one is a false failure). */
  readonly observersThatFailedIt: number;
  /** From the thaw until the last agent saw the last member alive again (0: nobody had doubted it; null: not within the bound). */
  readonly recoveredMs: number | null;
}

export interface PauseResult extends FalseAlarms {
  readonly pausedMs: number;
  readonly trials: readonly PauseTrial[];
  /** Trials in which some observer marked the frozen member failed. */
  readonly trialsWithFalseFailure: number;
  /** Slowest recovery over the trials; null when some trial did not recover within the bound. */
  readonly recoveredMs: number | null;
}

export async function pause(context: ScenarioContext, pausedMs: number, trials: number): Promise<PauseResult> {
  const { cluster, say } = context;
  const since = mark(context);
  const results: PauseTrial[] = [];
  for (let trial = 1; trial <= trials; trial++) {
    const before = cluster.tracker.transitions.length;
    const name = victim(context);
    const frozen = await cluster.pause(name, pausedMs);
    const thawedMs = performance.now();
    await sleep(5 * context.timing.probeIntervalMs);
    const recovered = (await reconverge(context)) === null ? null : Math.max(0, cluster.tracker.lastAliveAt(cluster.live()) - thawedMs);
    const failedIt = new Set(
      cluster.tracker.transitions
        .slice(before)
        .filter((t) => t.member === name && t.to === 'failed')
        .map((t) => t.observer),
    );
    results.push({ frozen, observersThatFailedIt: failedIt.size, recoveredMs: recovered });
    say(`pause ${trial}/${trials} (${frozen}): ${failedIt.size} observers marked it failed`);
    if (recovered === null) break;
  }
  const recoveries = results.map((r) => r.recoveredMs);
  return {
    pausedMs,
    trials: results,
    trialsWithFalseFailure: results.filter((r) => r.observersThatFailedIt > 0).length,
    recoveredMs: recoveries.includes(null) ? null : Math.max(0, ...(recoveries as number[])),
    ...falseAlarmsSince(context, since),
  };
}
