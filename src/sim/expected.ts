import { retransmitLimit } from '../protocol/broadcast-queue.js';
import type { ProtocolOptions } from '../protocol/options.js';
import { suspicionBounds } from '../protocol/suspicion.js';
import { toleranceTiming } from '../protocol/tolerance.js';

/** The analytical figures a simulation is compared with (SWIM §5, Lifeguard §IV). */
export interface ExpectedFigures {
  /**
   * Expected time until some live member probes a crashed one, in ms: SWIM's round robin
   * e/(e−1) ≈ 1.58 periods; the ring schedule half a period.
   */
  readonly firstSuspicionMs: number;
  /** Every live member marks a crash failed, median and 99th percentile over where in the period it fell. */
  readonly allDetectP50Ms: number;
  readonly allDetectP99Ms: number;
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
  const ring = options.probeSchedule === 'ring';
  // Wait for the first probe: on the ring uniform within a period; in round robin a member is
  // probed by nobody in a period with probability ≈ 1/e, so the wait is about geometric.
  const firstSuspicionMs = ring ? periodMs / 2 : (Math.E / (Math.E - 1)) * periodMs;
  const firstProbeWaitMs = (p: number): number => (ring ? p * periodMs : Math.max(1, Math.ceil(-Math.log(1 - p))) * periodMs);
  const periodsForCertainty = Math.ceil(Math.log(1e6));
  const q = 1 - lossRate;
  const falseSuspicionPerProbe = (1 - q * q) * Math.pow(1 - q ** 4, options.indirectChecks);
  const suspicion = {
    falseSuspicionPerProbe,
    falseSuspicionsExpected: falseSuspicionPerProbe * members * (durationMs / periodMs),
    falseSuspicionPerProbeWithRetry: falseSuspicionPerProbe * (1 - q * q),
    falseSuspicionsExpectedWithRetry: falseSuspicionPerProbe * (1 - q * q) * members * (durationMs / periodMs),
  };
  if (options.pauseToleranceMs !== null) {
    // tolerance.ts: the prober and the monitors declare at E + T + margin, the others at most
    // `hearsay` later (the verdict's gossip usually reaches them first); unconfirmed, one more T.
    const timing = toleranceTiming(options, options.pauseToleranceMs);
    const verdictMs = timing.toleranceMs + timing.refuteMarginMs;
    const allMs = (p: number): number => firstProbeWaitMs(p) + verdictMs + timing.hearsayMs;
    return {
      firstSuspicionMs: Math.round(firstSuspicionMs),
      allDetectP50Ms: Math.round(allMs(0.5)),
      allDetectP99Ms: Math.round(allMs(0.99)),
      firstDetectEstimateMs: Math.round(firstSuspicionMs + verdictMs),
      allDetectEstimateMs: Math.round(allMs(0.5)),
      allDetectBoundMs: Math.round(firstProbeWaitMs(1 - 1e-6) + periodMs + verdictMs + timing.unconfirmedMs + timing.hearsayMs + 2 * spreadMs),
      spreadMs,
      retransmitLimit: limit,
      suspicionTimeoutMinMs: Math.round(verdictMs),
      suspicionTimeoutMaxMs: Math.round(verdictMs + timing.unconfirmedMs + timing.hearsayMs),
      ...suspicion,
    };
  }
  const firstDetectEstimateMs = firstSuspicionMs + periodMs + bounds.minMs;
  const lifeguardAllMs = (p: number): number => firstProbeWaitMs(p) + periodMs + bounds.minMs + spreadMs;
  return {
    firstSuspicionMs: Math.round(firstSuspicionMs),
    allDetectP50Ms: Math.round(lifeguardAllMs(0.5)),
    allDetectP99Ms: Math.round(lifeguardAllMs(0.99)),
    firstDetectEstimateMs: Math.round(firstDetectEstimateMs),
    allDetectEstimateMs: Math.round(firstDetectEstimateMs + spreadMs),
    allDetectBoundMs: Math.round((periodsForCertainty + 1) * periodMs + bounds.maxMs + 2 * spreadMs),
    spreadMs,
    retransmitLimit: limit,
    suspicionTimeoutMinMs: Math.round(bounds.minMs),
    suspicionTimeoutMaxMs: Math.round(bounds.maxMs),
    ...suspicion,
  };
}
