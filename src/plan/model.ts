import { messageSize, packetOverheadBytes } from '../codec/index.js';
import { COORDINATE_CADENCE } from '../protocol/coordinate-cadence.js';
import { VIVALDI, type Coordinate } from '../protocol/coordinate.js';
import { retransmitLimit } from '../protocol/broadcast-queue.js';
import { monitorCount } from '../protocol/tolerance.js';
import { nodeName, seqNo } from '../protocol/types.js';
import { scaledPushPullIntervalMs, type ProtocolOptions } from '../protocol/options.js';
import { expectedFigures, type ExpectedFigures } from '../sim/expected.js';

/** What `gossipd plan` is asked about. */
export interface PlanInput {
  readonly nodes: number;
  /** Probability that one datagram is lost. */
  readonly lossRate: number;
  readonly protocol: ProtocolOptions;
  /** Failures per member per hour (λ). */
  readonly failureRatePerHour: number;
  /** Repairs per failed member per hour (μ): 1 / mean time to repair. */
  readonly repairRatePerHour: number;
  /** Typical member name length, for byte counts. */
  readonly nameLength: number;
}

/** The analytical model of the protocol as gossipd runs it (SWIM §5, Lifeguard §IV, and our additions). */
export interface Plan extends ExpectedFigures {
  readonly nodes: number;
  /** The pause tolerance planned for (null: memberlist's log10 n suspicion timeouts). */
  readonly pauseToleranceMs: number | null;
  readonly lossRate: number;
  /** Gossip rounds for an update to reach every member (infection with fan-out f: log_{f+1} n + ln n / f). */
  readonly spreadRounds: number;
  /** Probability that a false suspicion is not refuted in time somewhere: at least one observer misses every copy of the refutation and its final check fails too. */
  readonly falseFailurePerSuspicion: number;
  readonly falseFailuresPerMemberYear: number;
  readonly falseFailuresPerMemberHour: number;
  readonly messagesPerMemberPerSec: number;
  readonly bytesPerMemberPerSec: number;
  /** Probability that a healthy member is shown failed at a random moment. */
  readonly falsePositiveProbability: number;
  /** Probability that a failed member is still shown alive at a random moment of its downtime. */
  readonly falseNegativeProbability: number;
  /** A = μ/(μ+λ) · (1 − P(false positive)) · (1 − P(false negative)). */
  readonly availability: number;
}

const SECONDS_PER_YEAR = 365 * 24 * 3600;
const UDP_IP_BYTES = 28;
/** A settled coordinate: every number a fraction, so each takes a float32 on the wire. */
const TYPICAL_COORDINATE: Coordinate = { vec: new Array<number>(VIVALDI.dimensions).fill(0.0123), height: 0.0004, adjustment: -0.0001, error: 0.2 };

export function plan(input: PlanInput): Plan {
  const o = input.protocol;
  const n = input.nodes;
  const q = 1 - input.lossRate;
  const periodS = o.probeIntervalMs / 1000;
  const expected = expectedFigures(o, n, input.lossRate, o.probeIntervalMs);
  const limit = retransmitLimit(o.retransmitMult, n);

  // Every member sends each update `limit` times to random members; a given member receives
  // about limit·q copies (Poisson), so misses all with probability e^(−limit·q). It then
  // still gets the final check (ping + suspicion, and the answer): both must be lost too.
  const missesRefutation = Math.exp(-limit * q) * (1 - q * q);
  // With a pause tolerance the others act on a suspicion in time only once a monitor's own
  // probe failed too (unconfirmed, they wait a whole tolerance more): a false one must fool two.
  const confirmedFalsely =
    o.pauseToleranceMs === null ? 1 : 1 - Math.pow(1 - expected.falseSuspicionPerProbeWithRetry, monitorCount(o));
  const falseFailurePerSuspicion = confirmedFalsely * (1 - Math.pow(1 - missesRefutation, Math.max(0, n - 1)));
  // Each member is probed about once per period by someone.
  const suspicionsPerMemberYear = (SECONDS_PER_YEAR / periodS) * expected.falseSuspicionPerProbeWithRetry;
  const falseFailuresPerMemberYear = suspicionsPerMemberYear * falseFailurePerSuspicion;

  const directMiss = 1 - q * q;
  // Settled coordinates take a sample one period in settledEvery (coordinate-cadence.ts): on the
  // ring schedule a ping and ack of their own to a random member, on round robin the probe's own
  // ping asks for the coordinate and its ack carries it (protocol.md, network coordinates).
  const samplesPerPeriod = o.coordinates && n > 2 ? 1 / COORDINATE_CADENCE.settledEvery : 0;
  const ring = o.probeSchedule === 'ring';
  const probePackets = 2 + directMiss * (1 + 2 * o.indirectChecks);
  const pushPullS = scaledPushPullIntervalMs(o.pushPullIntervalMs, n) / 1000;
  const messagesPerMemberPerSec = (probePackets + (ring ? 2 * samplesPerPeriod : 0)) / periodS + 1 / pushPullS;
  const name = 'x'.repeat(input.nameLength);
  const seq = seqNo(100_000);
  const pingBytes = packetOverheadBytes(1) + messageSize({ type: 'ping', seq, target: nodeName(name) }) + UDP_IP_BYTES;
  const ackBytes = packetOverheadBytes(1) + messageSize({ type: 'ack', seq }) + UDP_IP_BYTES;
  const coordinateBytes = messageSize({ type: 'ack', seq, coordinate: TYPICAL_COORDINATE }) - messageSize({ type: 'ack', seq });
  const requestBytes = messageSize({ type: 'ping', seq, target: nodeName(name), wantsCoordinate: true }) - messageSize({ type: 'ping', seq, target: nodeName(name) });
  const sampleBytes = (ring ? pingBytes + ackBytes : 0) + requestBytes + coordinateBytes;
  const syncBytes = packetOverheadBytes(1) + messageSize({ type: 'sync', digest: 2 ** 31, members: n, join: false }) + UDP_IP_BYTES;
  const bytesPerMemberPerSec = (pingBytes + ackBytes + samplesPerPeriod * sampleBytes) / periodS + syncBytes / pushPullS;

  // A false failure lasts until the member hears of it and its refutation spreads back.
  const falseFailureDurationS = (2 * expected.spreadMs) / 1000;
  const falsePositiveProbability = Math.min(1, (falseFailuresPerMemberYear / SECONDS_PER_YEAR) * falseFailureDurationS);
  const lambda = input.failureRatePerHour;
  const mu = input.repairRatePerHour;
  const falseNegativeProbability = mu > 0 ? Math.min(1, (expected.allDetectEstimateMs / 3_600_000) * mu) : 0;
  const availability = (lambda + mu === 0 ? 1 : mu / (mu + lambda)) * (1 - falsePositiveProbability) * (1 - falseNegativeProbability);
  return {
    ...expected,
    nodes: n,
    pauseToleranceMs: o.pauseToleranceMs,
    lossRate: input.lossRate,
    spreadRounds: round2(Math.log(n) / Math.log(o.gossipFanout + 1) + Math.log(n) / o.gossipFanout),
    falseFailurePerSuspicion,
    falseFailuresPerMemberYear,
    falseFailuresPerMemberHour: falseFailuresPerMemberYear / (365 * 24),
    messagesPerMemberPerSec: round2(messagesPerMemberPerSec),
    bytesPerMemberPerSec: round2(bytesPerMemberPerSec),
    falsePositiveProbability,
    falseNegativeProbability,
    availability,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
