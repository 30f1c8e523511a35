import type { ProbeScheduleKind } from './probe-schedule.js';

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
  /**
   * How probe targets are chosen: `round-robin`, each member's own shuffled order (SWIM,
   * memberlist); `ring`, each member probes its successor on a ring by name hash, so every
   * member is probed once per period. Default round-robin (memberlist's profiles).
   */
  readonly probeSchedule: ProbeScheduleKind;
  /**
   * How long a member may be silent (paused, stalled, cut off) without being declared failed,
   * in ms. Set, suspicions are timed from it (see tolerance.ts) and a suspect's ring
   * neighbours confirm at once; null: memberlist's Lifeguard timeouts (suspicionMult × log10 n).
   */
  readonly pauseToleranceMs: number | null;
  /**
   * Vivaldi network coordinates (Serf's, off with its DisableCoordinates): samples of round
   * trips carry coordinates, and on the ring schedule a coordinate probe goes out in sampling
   * periods (coordinate-cadence.ts). false: no coordinate is sent, kept or answered. Default true.
   */
  readonly coordinates: boolean;
}

/** Above this many members anti-entropy slows down (memberlist pushPullScale). */
const PUSH_PULL_SCALE_THRESHOLD = 32;

/** The anti-entropy period at n members: one more interval per doubling above 32 (memberlist pushPullScale). */
export function scaledPushPullIntervalMs(baseMs: number, members: number): number {
  if (members <= PUSH_PULL_SCALE_THRESHOLD) return baseMs;
  return baseMs * (Math.ceil(Math.log2(members) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1);
}

export type ProfileName = 'tolerance' | 'lan' | 'wan' | 'local';
export const PROFILE_NAMES: readonly ProfileName[] = ['tolerance', 'lan', 'wan', 'local'];

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** The pause tolerance of the default profile: a member silent for less than 3 s is never declared failed. */
export const DEFAULT_PAUSE_TOLERANCE_MS = 3 * SECOND;

/**
 * gossipd's own timing, derived from one knob: the pause tolerance T (tolerance.ts). The
 * probe period is T/3 (at most 1 s, at least 100 ms), so the silence of a crashed member is
 * noticed within a period and confirmed within two, well inside T; the probe timeout half a
 * period. Each member probes its ring successor, so nobody waits for a first probe. The rest is
 * memberlist's LAN profile: the same traffic, for detection in T plus about 2 s at any size.
 */
export function toleranceProfile(pauseToleranceMs: number): ProtocolOptions {
  const probeIntervalMs = Math.round(Math.min(SECOND, Math.max(100, pauseToleranceMs / 3)));
  return {
    ...MEMBERLIST_PROFILES.lan,
    probeIntervalMs,
    probeTimeoutMs: Math.round(probeIntervalMs / 2),
    // Five helpers instead of three: at 15 % loss a fifth as many false suspicions start, and
    // their spread and refutation were most of the bytes; at no loss nothing changes.
    indirectChecks: 5,
    probeSchedule: 'ring',
    pauseToleranceMs,
  };
}

/** The timing of a profile; the tolerance profile's comes from the pause tolerance. */
export function profileTiming(profile: ProfileName, pauseToleranceMs: number | null): ProtocolOptions {
  if (profile === 'tolerance') return toleranceProfile(pauseToleranceMs ?? DEFAULT_PAUSE_TOLERANCE_MS);
  return pauseToleranceMs === null ? MEMBERLIST_PROFILES[profile] : { ...MEMBERLIST_PROFILES[profile], pauseToleranceMs };
}

/** memberlist's published defaults (DefaultLANConfig, DefaultWANConfig, DefaultLocalConfig). */
export const MEMBERLIST_PROFILES: Readonly<Record<Exclude<ProfileName, 'tolerance'>, ProtocolOptions>> = {
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
    probeSchedule: 'round-robin',
    pauseToleranceMs: null,
    coordinates: true,
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
    probeSchedule: 'round-robin',
    pauseToleranceMs: null,
    coordinates: true,
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
    probeSchedule: 'round-robin',
    pauseToleranceMs: null,
    coordinates: true,
  },
};

/** Every profile's timing at its defaults (tolerance at DEFAULT_PAUSE_TOLERANCE_MS). */
export const PROFILES: Readonly<Record<ProfileName, ProtocolOptions>> = {
  tolerance: toleranceProfile(DEFAULT_PAUSE_TOLERANCE_MS),
  ...MEMBERLIST_PROFILES,
};
