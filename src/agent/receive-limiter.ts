import type { Message } from '../protocol/messages.js';

/**
 * Receive rate limits: a flood of valid-looking datagrams, from one address or from many,
 * cannot take the event loop away from the agent's own probes, nor make the core answer it
 * (acks, full-state replies, relayed pings) at whatever rate it arrives.
 *
 * Two budgets: one token bucket per source address, and one shared by every source that is
 * not the address of a known member ("strangers": joiners, and whoever floods us from many
 * ports or hosts). Members' own traffic never waits behind strangers, so a many-source flood
 * cannot starve the pings and gossip this agent's liveness depends on.
 *
 * Node reads UDP on the event loop, so the kernel's socket buffer is the only receive queue;
 * what the agent controls is how much work each datagram costs. The limit is applied first, by
 * source address, before any decryption or decoding: a flood that no key opens would otherwise
 * cost one failed AES-GCM open per installed key per datagram, with no bound per source. A
 * datagram over its source's budget is dropped unopened, except from a member's address, which
 * has a small second budget (probeRepliesPerSec) for datagrams that are opened only for their
 * acks and nacks: they are the answers to our own probes, O(1) for the core, and what keeps
 * this agent from blaming healthy peers while it is being flooded.
 */
export interface ReceiveLimits {
  /** Datagrams per second one source (ip:port) may have fully handled, sustained. Default 1000. */
  readonly perSourceRatePerSec: number;
  /**
   * Datagrams one source may send at once. A full-state transfer of a 10,000-member table is
   * about 500 datagrams, so legitimate bursts fit. Default 2000.
   */
  readonly perSourceBurst: number;
  /** Stranger sources tracked at once (memory bound); members' addresses are always tracked. Default 4096. */
  readonly maxSources: number;
  /**
   * Datagrams per second handled from all strangers together. A member receives a few dozen
   * per second from its peers whatever the cluster size; strangers are joiners. Default 2000.
   */
  readonly strangersRatePerSec: number;
  /** Strangers' shared burst: room for a few full-state answers to our own join. Default 4000. */
  readonly strangersBurst: number;
  /** A source silent this long is forgotten, freeing its slot. Default 10 s. */
  readonly idleMs: number;
  /**
   * Datagrams per second (and burst) a member's address over its budget may still have opened
   * for the acks and nacks in them. We probe a few members a second, so a few hundred answers a
   * second is far more than arrive legitimately; it bounds what a flood spoofing a member's
   * address costs in decryption. Default 200.
   */
  readonly probeRepliesPerSec: number;
}

export const DEFAULT_RECEIVE_LIMITS: ReceiveLimits = {
  perSourceRatePerSec: 1000,
  perSourceBurst: 2000,
  maxSources: 4096,
  strangersRatePerSec: 2000,
  strangersBurst: 4000,
  idleMs: 10_000,
  probeRepliesPerSec: 200,
};

interface Bucket {
  tokens: number;
  lastMs: number;
  /** The probe-reply lane of a source over its budget (members only); created on first use. */
  replies?: { tokens: number; lastMs: number };
}

/** Token buckets per source address, bounded in number, plus one shared by all strangers. */
export class ReceiveLimiter {
  readonly limits: ReceiveLimits;
  private readonly buckets = new Map<string, Bucket>();
  private readonly strangers: Bucket;
  private lastSweepMs: number;

  constructor(limits: Partial<ReceiveLimits> = {}, nowMs = 0) {
    this.limits = { ...DEFAULT_RECEIVE_LIMITS, ...limits };
    this.strangers = { tokens: this.limits.strangersBurst, lastMs: nowMs };
    this.lastSweepMs = nowMs;
  }

  /**
   * Whether a datagram from `source` may be handled in full; takes its tokens if so. `member`:
   * the source is a known member's address, exempt from the strangers' budget.
   */
  admit(source: string, nowMs: number, member: boolean): boolean {
    if (nowMs - this.lastSweepMs >= this.limits.idleMs) this.sweep(nowMs);
    const { perSourceRatePerSec, perSourceBurst } = this.limits;
    let bucket = this.buckets.get(source);
    // Past maxSources, a new stranger only has the shared budget: the map cannot grow unbounded.
    if (bucket === undefined && (member || this.buckets.size < this.limits.maxSources)) {
      bucket = { tokens: perSourceBurst, lastMs: nowMs };
      this.buckets.set(source, bucket);
    }
    if (bucket !== undefined && !take(bucket, perSourceRatePerSec, perSourceBurst, nowMs)) return false;
    return member || take(this.strangers, this.limits.strangersRatePerSec, this.limits.strangersBurst, nowMs);
  }

  /**
   * After admit() refused a datagram from a member's address: whether it may still be opened
   * for the answers to our probes in it; takes a token of the source's reply lane if so.
   * Strangers have no such lane: their datagrams over budget are dropped unopened.
   */
  admitProbeReplies(source: string, nowMs: number, member: boolean): boolean {
    if (!member) return false;
    const bucket = this.buckets.get(source);
    if (bucket === undefined) return false;
    const rate = this.limits.probeRepliesPerSec;
    bucket.replies ??= { tokens: rate, lastMs: nowMs };
    return take(bucket.replies, rate, rate, nowMs);
  }

  get trackedSources(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    const cutoffMs = nowMs - this.limits.idleMs;
    for (const [source, bucket] of this.buckets) if (bucket.lastMs < cutoffMs) this.buckets.delete(source);
  }
}

function take(bucket: Bucket, ratePerSec: number, burst: number, nowMs: number): boolean {
  bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.lastMs) * ratePerSec) / 1000);
  bucket.lastMs = nowMs;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** What is still handled from a datagram over its source's budget: answers to our own probes. */
export function probeReplies(messages: readonly Message[]): Message[] {
  return messages.filter((m) => m.type === 'ack' || m.type === 'nack');
}
