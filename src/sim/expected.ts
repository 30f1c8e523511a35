import { retransmitLimit } from '../protocol/broadcast-queue.js';
import type { ProtocolOptions } from '../protocol/options.js';
import { suspicionBounds } from '../protocol/suspicion.js';

/** The analytical figures a simulation is compared with (SWIM §5, Lifeguard §IV). */
export interface ExpectedFigures {
  /** SWIM: expected periods until some live member probes a crashed one, e/(e−1) ≈ 1.58, in ms. */
  readonly firstSuspicionMs: number;
  /**
   * First member to mark a crash failed: first suspicion + the end of that probe round + the
   * suspicion timeout once the k confirmations are in (its minimum).
   */
  readonly firstDetectEstimateMs: number;
  /** All live members: first detection + the time the verdict takes to spread. */
  readonly allDetectEstimateMs: number;
  /**
   * A bound that holds with probability ≥ 1 − 10⁻⁶ per crash: enough periods that someone
   * has probed the member (P(nobody in a period) ≈ 1/e), the maximum suspicion timeout (no
   * confirmations at all), and two spreads (the suspicion, then the verdict).
   */
  readonly allDetectBoundMs: number;
  /** Gossip rounds × interval for an update to reach everyone (each sent retransmitLimit times). */
  readonly spreadMs: number;
  readonly retransmitLimit: number;
  readonly suspicionTimeoutMinMs: number;
  readonly suspicionTimeoutMaxMs: number;
  /** SWIM: P(one probe of a healthy member fails) = (1 − q²)(1 − q⁴)^k with q = 1 − loss. */
  readonly falseSuspicionPerProbe: number;
  /** That probability × probes in the run: how many false suspicions probers should start (SWIM without Lifeguard). */
  readonly falseSuspicionsExpected: number;
  /**
   * gossipd also pings the target directly a second time during the indirect phase, so a
   * suspicion needs both direct attempts lost: (1 − q²)² (1 − q⁴)^k per probe.
   */
  readonly falseSuspicionPerProbeWithRetry: number;
  readonly falseSuspicionsExpectedWithRetry: number;
}

export function expectedFigures(
  options: ProtocolOptions,
  members: number,
  lossRate: number,
  durationMs: number,
): ExpectedFigures {
  const periodMs = options.probeIntervalMs;
  const bounds = suspicionBounds(members, periodMs, options.suspicionMult, options.suspicionMaxTimeoutMult);
  const limit = retransmitLimit(options.retransmitMult, members);
  const spreadMs = limit * options.gossipIntervalMs;
  const firstSuspicionMs = (Math.E / (Math.E - 1)) * periodMs;
  const firstDetectEstimateMs = firstSuspicionMs + periodMs + bounds.minMs;
  const periodsForCertainty = Math.ceil(Math.log(1e6));
  const q = 1 - lossRate;
  const falseSuspicionPerProbe = (1 - q * q) * Math.pow(1 - q ** 4, options.indirectChecks);
  return {
    firstSuspicionMs: Math.round(firstSuspicionMs),
    firstDetectEstimateMs: Math.round(firstDetectEstimateMs),
    allDetectEstimateMs: Math.round(firstDetectEstimateMs + spreadMs),
    allDetectBoundMs: Math.round((periodsForCertainty + 1) * periodMs + bounds.maxMs + 2 * spreadMs),
    spreadMs,
    retransmitLimit: limit,
    suspicionTimeoutMinMs: Math.round(bounds.minMs),
    suspicionTimeoutMaxMs: Math.round(bounds.maxMs),
    falseSuspicionPerProbe,
    falseSuspicionsExpected: falseSuspicionPerProbe * members * (durationMs / periodMs),
    falseSuspicionPerProbeWithRetry: falseSuspicionPerProbe * (1 - q * q),
    falseSuspicionsExpectedWithRetry: falseSuspicionPerProbe * (1 - q * q) * members * (durationMs / periodMs),
  };
}
