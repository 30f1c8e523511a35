import { MESSAGE_TYPES, type Message, type MessageType } from './messages.js';

/**
 * Upper bounds of the probe round-trip buckets, in ms: from loopback (sub-millisecond) to the
 * wan probe timeout (3 s). Shared with the metrics endpoint, which renders them in seconds.
 */
export const RTT_BUCKET_BOUNDS_MS: readonly number[] = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** Counters the core keeps about its own work, read by the shell for health and metrics. */
export class NodeStats {
  probes = 0;
  probesAcked = 0;
  /** Of probesAcked, those whose ack came after the direct timeout (indirect phase): indirect_ok. */
  probesAckedIndirect = 0;
  indirectProbes = 0;
  probesFailed = 0;
  suspicionsStarted = 0;
  suspicionsConfirmed = 0;
  suspicionsGated = 0;
  refutations = 0;
  stalls = 0;
  misdirectedPings = 0;
  /** Stale accusations answered with the current alive (see GossipNode.correctStale). */
  staleCorrections = 0;
  /** Unconfirmed suspicions that got one last ping before being declared failed. */
  finalChecks = 0;
  /** Suspects we probed at once as one of their monitors (pause tolerance). */
  confirmProbes = 0;
  /** Pings sent only to measure a round trip for coordinates (ring schedule). */
  coordinateProbes = 0;
  /** Members asked directly about a disagreement found in anti-entropy. */
  disputesAsked = 0;
  relaysRefused = 0;
  syncsStarted = 0;
  statesSent = 0;
  /** Syncs answered with a cookie challenge: their source had not shown it receives our datagrams. */
  challengesSent = 0;
  /** Syncs answered with bucket digests (a table that differs). */
  bucketDigestsSent = 0;
  /** Steps of our anti-entropy rounds sent again because their answer did not come (lost datagrams). */
  syncRetries = 0;
  /** Challenges, bucket digests and pulls that matched no round of ours or carried no valid cookie. */
  unsolicitedDropped = 0;
  /** Replies to an unvalidated source withheld: they would exceed 3× the bytes it sent. */
  repliesWithheld = 0;
  packetsSent = 0;
  packetsReceived = 0;
  readonly messagesSent = Object.fromEntries(MESSAGE_TYPES.map((type) => [type, 0])) as Record<MessageType, number>;
  /** Sum and count of probe round-trip times, for the mean. */
  rttSumMs = 0;
  rttCount = 0;
  /**
   * Probe round-trip times by bucket (not cumulative): rttBuckets[i] counts RTTs at most
   * RTT_BUCKET_BOUNDS_MS[i] and above the bound before it; the last entry counts the rest.
   */
  readonly rttBuckets: number[] = new Array<number>(RTT_BUCKET_BOUNDS_MS.length + 1).fill(0);

  countSent(messages: readonly Message[]): void {
    this.packetsSent++;
    for (const message of messages) this.messagesSent[message.type]++;
  }

  recordRtt(ms: number): void {
    this.rttSumMs += ms;
    this.rttCount++;
    let bucket = 0;
    while (bucket < RTT_BUCKET_BOUNDS_MS.length && ms > (RTT_BUCKET_BOUNDS_MS[bucket] ?? Infinity)) bucket++;
    this.rttBuckets[bucket] = (this.rttBuckets[bucket] ?? 0) + 1;
  }
}
