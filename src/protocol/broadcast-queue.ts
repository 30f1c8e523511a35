import type { UpdateMessage } from './messages.js';
import type { NodeName } from './types.js';

interface Item {
  readonly message: UpdateMessage;
  /** The member an `alive` is about (undefined for other updates): read on every scan, kept beside `bytes`. */
  readonly aliveOf: NodeName | undefined;
  readonly bytes: number;
  readonly priority: boolean;
  transmits: number;
  tier: Tier;
  prev: Item | undefined;
  next: Item | undefined;
}

/**
 * The items sent equally often, oldest first: a doubly linked list through the items. (A Set
 * keeps the same order, but the holes its deletions leave are walked by every later
 * iteration until it rehashes, and a busy queue deletes from its tiers all the time.)
 */
class Tier {
  head: Item | undefined;
  tail: Item | undefined;
  size = 0;

  append(item: Item): void {
    item.tier = this;
    item.prev = this.tail;
    item.next = undefined;
    if (this.tail === undefined) this.head = item;
    else this.tail.next = item;
    this.tail = item;
    this.size++;
  }

  unlink(item: Item): void {
    if (item.prev === undefined) this.head = item.next;
    else item.prev.next = item.next;
    if (item.next === undefined) this.tail = item.prev;
    else item.next.prev = item.prev;
    item.prev = undefined;
    item.next = undefined;
    this.size--;
  }
}

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
export class BroadcastQueue {
  private readonly byName = new Map<NodeName, Item>();
  private readonly priorityTier = new Tier();
  private readonly tiers: Tier[] = [];

  get size(): number {
    return this.byName.size;
  }

  has(name: NodeName): boolean {
    return this.byName.has(name);
  }

  enqueue(message: UpdateMessage, bytes: number, priority = false): void {
    this.remove(message.name);
    const tier = priority ? this.priorityTier : this.tier(0);
    const aliveOf = message.type === 'alive' ? message.name : undefined;
    const item: Item = { message, aliveOf, bytes, priority, transmits: 0, tier, prev: undefined, next: undefined };
    tier.append(item);
    this.byName.set(message.name, item);
  }

  remove(name: NodeName): void {
    const item = this.byName.get(name);
    if (item === undefined) return;
    item.tier.unlink(item);
    this.byName.delete(name);
  }

  /**
   * Picks updates that fit in `budgetBytes`, counts one transmission for each and drops those
   * that reached `limit` transmissions. An `alive` about the `recipient` itself is skipped: it
   * would spend a transmission on the one member that needs it least. (Suspicions about the
   * recipient are exactly what it needs, to refute them.)
   */
  take(budgetBytes: number, limit: number, recipient?: NodeName): UpdateMessage[] {
    if (this.byName.size === 0 || budgetBytes < MIN_UPDATE_BYTES) return [];
    const picked: Item[] = [];
    let room = budgetBytes;
    let misses = 0;
    const consider = (tier: Tier): boolean => {
      for (let item = tier.head; item !== undefined; item = item.next) {
        if (item.aliveOf !== undefined && item.aliveOf === recipient) continue;
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
    const messages: UpdateMessage[] = [];
    for (const item of picked) {
      messages.push(item.message);
      item.transmits++;
      if (item.transmits >= limit) {
        this.remove(item.message.name);
      } else if (!item.priority) {
        item.tier.unlink(item);
        this.tier(item.transmits).append(item);
      }
    }
    return messages;
  }

  private tier(transmits: number): Tier {
    let tier = this.tiers[transmits];
    if (tier === undefined) {
      tier = new Tier();
      this.tiers[transmits] = tier;
    }
    return tier;
  }
}

/** How many times each update is sent: retransmitMult × ceil(log10(n + 1)) (SWIM λ log n). */
export function retransmitLimit(retransmitMult: number, clusterSize: number): number {
  return retransmitMult * Math.max(1, Math.ceil(Math.log10(clusterSize + 1)));
}
