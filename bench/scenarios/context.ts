// What every scenario gets: the cluster, its timing, the run's settings, and a shared record of
// members that are down on purpose (so that their failure is not counted as a false one).
import type { ProtocolOptions } from '../../src/protocol/options.js';
import type { Cluster } from '../cluster.js';
import type { Progress } from '../progress.js';
import type { Settings } from '../settings.js';

export interface ScenarioContext {
  readonly cluster: Cluster;
  readonly timing: ProtocolOptions;
  readonly settings: Settings;
  readonly say: Progress;
  readonly random: () => number;
  /** Crashed or left on purpose. */
  readonly downOnPurpose: Set<string>;
}

/** A point in the tracker's history, to count what happened since. */
export interface Mark {
  readonly transitions: number;
  readonly suspicions: number;
  readonly refutations: number;
  readonly gatedProbes: number;
}

export function mark(context: ScenarioContext): Mark {
  const t = context.cluster.tracker;
  return {
    transitions: t.transitions.length,
    suspicions: t.suspicions.length,
    refutations: t.refutations.length,
    gatedProbes: t.gatedProbes,
  };
}

/** False alarms since a mark: about members that were up (paused members count as up). */
export interface FalseAlarms {
  /** Observer-member pairs that went to `failed` for a member that was up. */
  readonly falseFailures: number;
  /** Suspicions raised (by the prober itself) about members that were up. */
  readonly falseSuspicions: number;
  /** Times a member refuted an accusation about itself. */
  readonly refutations: number;
  /** gossipd only: missed probes not turned into suspicions because the prober's own loop had stalled. */
  readonly gatedProbes: number;
}

export function falseAlarmsSince(context: ScenarioContext, since: Mark): FalseAlarms {
  const t = context.cluster.tracker;
  const up = (member: string): boolean => !context.downOnPurpose.has(member);
  return {
    falseFailures: t.transitions.slice(since.transitions).filter((x) => x.to === 'failed' && up(x.member)).length,
    falseSuspicions: t.suspicions.slice(since.suspicions).filter((x) => up(x.member)).length,
    refutations: t.refutations.length - since.refutations,
    gatedProbes: t.gatedProbes - since.gatedProbes,
  };
}

/** A random running member other than the first (the seed, which is queried). */
export function victim(context: ScenarioContext): string {
  const candidates = context.cluster.live().slice(1);
  const chosen = candidates[Math.floor(context.random() * candidates.length)];
  if (chosen === undefined) throw new Error('no member to pick besides the seed');
  return chosen;
}

/** Generous bound for the whole cluster to agree again, scaled by timing and size. */
export function agreementTimeoutMs(context: ScenarioContext, n: number): number {
  const scale = n > 32 ? Math.ceil(Math.log2(n) - 5) + 1 : 1;
  return 20_000 + 20 * context.timing.probeIntervalMs + 2 * context.timing.pushPullIntervalMs * scale + n * 100;
}
