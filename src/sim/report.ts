import type { CoordinateError } from './coordinate-error.js';
import type { ExpectedFigures } from './expected.js';

/** The coordinate error (see CoordinateError) at a simulated time. */
export interface CoordinateErrorAt extends CoordinateError {
  readonly atMs: number;
}

export interface CrashReport {
  readonly name: string;
  readonly atMs: number;
  /** Since the crash: the first live member to mark it failed; null if none did. */
  readonly firstDetectMs: number | null;
  /** Since the crash: the last live member to mark it failed; null if some never did. */
  readonly allDetectMs: number | null;
}

export interface Spread {
  readonly mean: number;
  readonly max: number;
}

/** What `gossipd simulate --json` prints: one object per run. */
export interface SimulationReport {
  readonly nodes: number;
  readonly seed: number;
  readonly profile: string;
  readonly lossRate: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  /** From the first start until every member sees every member alive; null if never before the faults. */
  readonly convergenceMs: number | null;
  readonly crashes: readonly CrashReport[];
  readonly detection: {
    readonly firstP50Ms: number | null;
    readonly firstMaxMs: number | null;
    readonly allP50Ms: number | null;
    readonly allMaxMs: number | null;
  };
  /**
   * (observer, member) pairs in which the observer marked failed (or suspect) a member that
   * was never crashed, never paused (--pause), not cut off from that observer, and not within
   * a restart window (--churn: from its restart until every running member has seen it alive
   * again with its new incarnation). Stalling members (--stall) count like any other: a stall
   * shorter than the tolerance must never become a failure.
   */
  readonly falseFailures: number;
  readonly falseSuspicions: number;
  /** How many of those suspicions a prober started itself after a failed probe (the rest spread by gossip). */
  readonly falseSuspicionsOriginated: number;
  /** (observer, member) pairs in which a paused member (--pause) was marked failed. */
  readonly pausedFailures: number;
  /** Stalls carried out (--stall): each one a Simulation.pause of a stalling member that had started. */
  readonly stalls: number;
  /** Of falseFailures, the pairs whose member is a stalling one. */
  readonly stallFailures: number;
  /** Restarts carried out (--churn): a crash and an immediate start under the same name and address. */
  readonly restarts: number;
  /** Restarts after which every running member saw the member alive with its new incarnation before the run ended. */
  readonly restartsRecovered: number;
  /**
   * From each restart until every running member has the member alive with its new
   * incarnation (checked every 100 ms of simulated time). A restart that never recovered
   * counts as longer than any other: `max` is null if one never did, `p50` if half never did
   * (both null without restarts). A member restarted again before it recovered never did.
   */
  readonly restartRecoveryMs: { readonly p50: number | null; readonly max: number | null };
  /**
   * At the end of the run, (observer, member) pairs of running members (started, not crashed;
   * paused and stalling ones included) in which the observer does not have the member alive.
   * A snapshot: a member suspected at that moment (in the middle of a stall, or just
   * restarted) counts too, so with frequent or long stalls it is rarely 0.
   */
  readonly stuck: number;
  /**
   * --restart: how many members restarted at once at the fault time; from then until every
   * running member had every member alive (restartRecoveryMs says when each had the restarted
   * ones with their new incarnation), null if that never happened; and the (observer, restarted member) pairs that went through
   * failed on the way (should be 0). Null without --restart.
   */
  readonly massRestart: { readonly members: number; readonly allAliveMs: number | null; readonly failedPairs: number } | null;
  /** After the partition ends, until every live member sees every live member alive. */
  readonly healedMs: number | null;
  /** How long after the partition ends its cross-side failures must be gone: 2 × reconnectInterval; null without a partition. */
  readonly partitionHealBoundMs: number | null;
  /**
   * Cross-side false failures that remain after healing: (observer, member) pairs of live
   * members (not crashed, not paused, not in a restart window) on opposite sides of the
   * partition in which the observer had the member failed at some moment later than
   * partitionHealBoundMs after the heal (still failed then, or failed anew). Should be 0.
   * Null without a partition, or when the run ends before the bound.
   */
  readonly partitionFailuresAfterHeal: number | null;
  /**
   * Datagrams and bytes (payload + 28 B of IPv4/UDP headers) each live member sent per second,
   * from convergence to the end of the run (the one-off join storm left out).
   */
  readonly perNode: { readonly msgsSentPerSec: Spread; readonly bytesSentPerSec: Spread };
  /**
   * `state` messages sent with `full` set, over the whole run (joins included): each one opens
   * a whole-table answer (a join), or an anti-entropy answer covering half the buckets or more
   * (never one to a part of the fine sums, which large tables that differ all over compare:
   * there compare statePacketsSent).
   */
  readonly fullStateTransfers: number;
  /** Datagrams carrying a `state` message (a chunk of a full table), over the whole run. */
  readonly statePacketsSent: number;
  /**
   * The simulating process's resident set size (process.memoryUsage.rss), sampled every
   * 100 ms of simulated time, at its highest: the whole process (Node.js, the simulator, the
   * cores), not one member.
   */
  readonly peakMemoryBytes: number;
  /** Datagrams the real codec rejected in transit (always 0 unless something is broken). */
  readonly decodeFailures: number;
  readonly expected: ExpectedFigures;
  /** With --regions: how many regions the latency model had. */
  readonly regions?: number;
  /**
   * With --regions, at the end of the run: over every pair of running members (a seeded
   * sample of 50,000 above that), |estimated − true| / true round trip, the estimate being the
   * distance between the two members' own coordinates. p50 and p90 are fractions (0.05 = 5 %).
   */
  readonly coordinateError?: CoordinateErrorAt;
  /** With --regions: the same at earlier times asked for (ScenarioOptions.coordinateErrorAtMs). */
  readonly coordinateErrorOverTime?: readonly CoordinateErrorAt[];
}
