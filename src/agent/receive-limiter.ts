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
 * what the agent controls is how much work each datagram costs. A datagram over its source's
 * budget is still decoded (that is cheap and keeps drop accounting exact), but only its acks and
 * nacks are handled: they are the answers to our own probes, O(1) for the core, and what keeps
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
}

export const DEFAULT_RECEIVE_LIMITS: ReceiveLimits = {
  perSourceRatePerSec: 1000,
  perSourceBurst: 2000,
  maxSources: 4096,
  strangersRatePerSec: 2000,
  strangersBurst: 4000,
  idleMs: 10_000,
};

interface Bucket {
  tokens: number;
  lastMs: number;
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
