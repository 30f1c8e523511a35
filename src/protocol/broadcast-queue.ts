import type { UpdateMessage } from './messages.js';
import type { NodeName } from './types.js';

interface Item<M> {
  readonly key: string;
  readonly message: M;
  readonly bytes: number;
  readonly priority: boolean;
  transmits: number;
  tier: Set<Item<M>>;
}

/** How a queue names its messages (a newer one with the same key supersedes) and which it keeps from a recipient. */
export interface QueueKeying<M> {
  readonly keyOf: (message: M) => string;
  /** A message not worth a transmission to this recipient. */
  readonly skipFor: (message: M, recipient: NodeName | undefined) => boolean;
}

/** Membership updates: one per member name; an `alive` about the recipient itself is skipped. */
const UPDATE_KEYING: QueueKeying<UpdateMessage> = {
  keyOf: (message) => message.name,
  skipFor: (message, recipient) => message.type === 'alive' && message.name === recipient,
};

/** Messages never smaller than this; a packet with less room left is full. */
const MIN_UPDATE_BYTES = 8;
/**
 * Updates that did not fit before the packet counts as full. Bounds the scan of a long queue
 * (a join storm queues one update per member) to the updates actually sent plus this many.
 */
const MAX_MISSES = 16;

/**
 * The transmit-limited piggyback queue (SWIM §4.1; memberlist TransmitLimitedQueue).
 * One update per member name: a newer one supersedes the queued one. Priority updates (our
 * own leave and refutations) go first, then the least-sent, so fresh news spreads fastest.
 * Each update is sent until it has gone out `limit` times.
 */
export class BroadcastQueue<M = UpdateMessage> {
  private readonly byName = new Map<string, Item<M>>();
  private readonly priorityTier = new Set<Item<M>>();
  private readonly tiers: Set<Item<M>>[] = [];
  private readonly keying: QueueKeying<M>;

  constructor(keying?: QueueKeying<M>) {
    // The default is the membership queue's; other message kinds say how they are keyed.
    this.keying = keying ?? (UPDATE_KEYING as unknown as QueueKeying<M>);
  }

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  enqueue(message: M, bytes: number, priority = false): void {
    const key = this.keying.keyOf(message);
    this.remove(key);
    const tier = priority ? this.priorityTier : this.tier(0);
    const item: Item<M> = { key, message, bytes, priority, transmits: 0, tier };
    tier.add(item);
    this.byName.set(key, item);
  }

  /** Drops the most-sent message, to bound a queue that fills faster than it drains. */
  dropMostSent(): void {
    for (let t = this.tiers.length - 1; t >= 0; t--) {
      const tier = this.tiers[t];
      const first = tier === undefined ? undefined : tier.values().next().value;
      if (first !== undefined) {
        this.remove(first.key);
        return;
      }
    }
  }

  remove(name: string): void {
    const item = this.byName.get(name);
    if (item === undefined) return;
    item.tier.delete(item);
    this.byName.delete(name);
  }

  /**
   * Picks updates that fit in `budgetBytes`, counts one transmission for each and drops those
   * that reached `limit` transmissions. An `alive` about the `recipient` itself is skipped: it
   * would spend a transmission on the one member that needs it least. (Suspicions about the
   * recipient are exactly what it needs, to refute them.)
   */
  take(budgetBytes: number, limit: number, recipient?: NodeName): M[] {
    if (this.byName.size === 0 || budgetBytes < MIN_UPDATE_BYTES) return [];
    const picked: Item<M>[] = [];
    let room = budgetBytes;
    let misses = 0;
    const consider = (tier: Set<Item<M>>): boolean => {
      for (const item of tier) {
        if (this.keying.skipFor(item.message, recipient)) continue;
        if (item.bytes <= room) {
          picked.push(item);
          room -= item.bytes;
          if (room < MIN_UPDATE_BYTES) return false;
        } else if (++misses >= MAX_MISSES) {
          return false;
        }
      }
      return true;
    };
    if (consider(this.priorityTier)) {
      for (const tier of this.tiers) {
        if (tier !== undefined && tier.size > 0 && !consider(tier)) break;
      }
    }
    const messages: M[] = [];
    for (const item of picked) {
      messages.push(item.message);
      item.transmits++;
      if (item.transmits >= limit) {
        this.remove(item.key);
      } else if (!item.priority) {
        item.tier.delete(item);
        item.tier = this.tier(item.transmits);
        item.tier.add(item);
      }
    }
    return messages;
  }

  private tier(transmits: number): Set<Item<M>> {
    let tier = this.tiers[transmits];
    if (tier === undefined) {
      tier = new Set();
      this.tiers[transmits] = tier;
    }
    return tier;
  }
}

/** How many times each update is sent: retransmitMult × ceil(log10(n + 1)) (SWIM λ log n). */
export function retransmitLimit(retransmitMult: number, clusterSize: number): number {
  return retransmitMult * Math.max(1, Math.ceil(Math.log10(clusterSize + 1)));
}
