/**
 * The protocol's tunables, in the units the core works in. Defaults come from a timing profile
 * (see profiles.ts); every key can be overridden one by one.
 */
export interface ProtocolOptions {
  /** Protocol period: one member is probed per period (SWIM T′). Scaled by local health. Default 1 s (lan). */
  readonly probeIntervalMs: number;
  /** How long to wait for a direct ack before asking others (≈ p99 RTT). Scaled by local health. Default 500 ms (lan). */
  readonly probeTimeoutMs: number;
  /** How many members are asked to ping-req a silent target (SWIM k). More: fewer false suspicions, more traffic. Default 3. */
  readonly indirectChecks: number;
  /** Minimum suspicion timeout in probe intervals, scaled by log10(n) (Lifeguard α). Default 4. */
  readonly suspicionMult: number;
  /** Maximum suspicion timeout as a multiple of the minimum (Lifeguard β). Default 6. */
  readonly suspicionMaxTimeoutMult: number;
  /** How often queued updates are gossiped to random members. Default 200 ms (lan). */
  readonly gossipIntervalMs: number;
  /** How many random members each gossip tick sends to. Default 3. */
  readonly gossipFanout: number;
  /** Each update is sent retransmitMult × ceil(log10(n+1)) times (SWIM λ). Default 4. */
  readonly retransmitMult: number;
  /** Anti-entropy period (scaled up above 32 members). Default 30 s (lan). */
  readonly pushPullIntervalMs: number;
  /** How long failed members keep receiving gossip, so a false failure can be refuted. Default 30 s (lan). */
  readonly gossipToTheDeadTimeMs: number;
  /** Local health multiplier cap (Lifeguard S): timing stretches up to this factor. Default 8. */
  readonly awarenessMaxMultiplier: number;
  /** Largest datagram sent, in bytes. Keep below the path MTU. Default 1400. */
  readonly maxPacketBytes: number;
  /** How long failed and left members are kept (and shown) before they are forgotten. Default 24 h (lan). */
  readonly reapTimeoutMs: number;
  /** How often a failed member is retried, so healed partitions merge again. Default 30 s. */
  readonly reconnectIntervalMs: number;
  /**
   * How long after it failed a member is still retried (every reconnectInterval). Longer heals
   * longer partitions; shorter stops knocking sooner on hosts that are gone for good. After it,
   * the member stays (failed) until reapTimeout. Default 24 h.
   */
  readonly reconnectTimeoutMs: number;
}

/** Above this many members anti-entropy slows down (memberlist pushPullScale). */
const PUSH_PULL_SCALE_THRESHOLD = 32;

/** The anti-entropy period at n members: one more interval per doubling above 32 (memberlist pushPullScale). */
export function scaledPushPullIntervalMs(baseMs: number, members: number): number {
  if (members <= PUSH_PULL_SCALE_THRESHOLD) return baseMs;
  return baseMs * (Math.ceil(Math.log2(members) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1);
}

export type ProfileName = 'lan' | 'wan' | 'local';
export const PROFILE_NAMES: readonly ProfileName[] = ['lan', 'wan', 'local'];

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** memberlist's published defaults (DefaultLANConfig, DefaultWANConfig, DefaultLocalConfig). */
export const PROFILES: Readonly<Record<ProfileName, ProtocolOptions>> = {
  lan: {
    probeIntervalMs: 1 * SECOND,
    probeTimeoutMs: 500,
    indirectChecks: 3,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    gossipIntervalMs: 200,
    gossipFanout: 3,
    retransmitMult: 4,
    pushPullIntervalMs: 30 * SECOND,
    gossipToTheDeadTimeMs: 30 * SECOND,
    awarenessMaxMultiplier: 8,
    maxPacketBytes: 1400,
    reapTimeoutMs: 24 * HOUR,
    reconnectIntervalMs: 30 * SECOND,
    reconnectTimeoutMs: 24 * HOUR,
  },
  wan: {
    probeIntervalMs: 5 * SECOND,
    probeTimeoutMs: 3 * SECOND,
    indirectChecks: 3,
    suspicionMult: 6,
    suspicionMaxTimeoutMult: 6,
    gossipIntervalMs: 500,
    gossipFanout: 4,
    retransmitMult: 4,
    pushPullIntervalMs: 60 * SECOND,
    gossipToTheDeadTimeMs: 60 * SECOND,
    awarenessMaxMultiplier: 8,
    maxPacketBytes: 1400,
    reapTimeoutMs: 24 * HOUR,
    reconnectIntervalMs: 60 * SECOND,
    reconnectTimeoutMs: 24 * HOUR,
  },
  local: {
    probeIntervalMs: 1 * SECOND,
    probeTimeoutMs: 200,
    indirectChecks: 1,
    suspicionMult: 3,
    suspicionMaxTimeoutMult: 6,
    gossipIntervalMs: 100,
    gossipFanout: 3,
    retransmitMult: 2,
    pushPullIntervalMs: 15 * SECOND,
    gossipToTheDeadTimeMs: 15 * SECOND,
    awarenessMaxMultiplier: 8,
    maxPacketBytes: 1400,
    reapTimeoutMs: 1 * HOUR,
    reconnectIntervalMs: 15 * SECOND,
    reconnectTimeoutMs: 24 * HOUR,
  },
};
