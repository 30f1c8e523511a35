import type { ExpectedFigures } from './expected.js';

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
   * was never crashed, never paused and never cut off from that observer.
   */
  readonly falseFailures: number;
  readonly falseSuspicions: number;
  /** How many of those suspicions a prober started itself after a failed probe (the rest spread by gossip). */
  readonly falseSuspicionsOriginated: number;
  /** (observer, member) pairs in which a paused member was marked failed. */
  readonly pausedFailures: number;
  /** After the partition ends, until every live member sees every live member alive. */
  readonly healedMs: number | null;
  /**
   * Datagrams and bytes (payload + 28 B of IPv4/UDP headers) each live member sent per second,
   * from convergence to the end of the run (the one-off join storm left out).
   */
  readonly perNode: { readonly msgsSentPerSec: Spread; readonly bytesSentPerSec: Spread };
  /** Datagrams the real codec rejected in transit (always 0 unless something is broken). */
  readonly decodeFailures: number;
  readonly expected: ExpectedFigures;
}
