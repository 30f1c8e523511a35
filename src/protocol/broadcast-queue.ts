import { PROTOCOL_LIMITS } from './limits.js';
import type { UpdateMessage } from './messages.js';
import type { NodeName } from './types.js';

interface Item<M> {
  readonly key: string;
  readonly message: M;
  /** The one recipient this message is not worth a transmission to (read on every scan, so kept beside `bytes`). */
  readonly skippedFor: NodeName | undefined;
  readonly bytes: number;
  readonly priority: boolean;
  /** The table slot under which a copy a peer sends us counts as one of our transmissions (heardAgain); -1: never. */
  readonly echoSlot: number;
  transmits: number;
  tier: Tier<M>;
  prev: Item<M> | undefined;
  next: Item<M> | undefined;
}

/**
 * The items sent equally often, oldest first: a doubly linked list through the items. (A Set
 * keeps the same order, but the holes its deletions leave are walked by every later
 * iteration until it rehashes, and a busy queue deletes from its tiers all the time.)
 */
class Tier<M> {
  head: Item<M> | undefined;
  tail: Item<M> | undefined;
  size = 0;

  append(item: Item<M>): void {
    item.tier = this;
    item.prev = this.tail;
    item.next = undefined;
    if (this.tail === undefined) this.head = item;
    else this.tail.next = item;
    this.tail = item;
    this.size++;
  }

  unlink(item: Item<M>): void {
    if (item.prev === undefined) this.head = item.next;
    else item.prev.next = item.next;
    if (item.next === undefined) this.tail = item.prev;
    else item.next.prev = item.prev;
    item.prev = undefined;
    item.next = undefined;
    this.size--;
  }
}

/** How a queue names its messages (a newer one with the same key supersedes) and whom one is not sent to. */
export interface QueueKeying<M> {
  readonly keyOf: (message: M) => string;
  /** The recipient a message is not worth a transmission to, if any. */
  readonly skippedFor: (message: M) => NodeName | undefined;
  /** Whether `heard`, from a peer, is the very news `held` (heardAgain); never, if absent. */
  readonly sameNews?: (held: M, heard: M) => boolean;
}

/** Membership updates: one per member name; an `alive` about the recipient itself is skipped. */
const UPDATE_KEYING: QueueKeying<UpdateMessage> = {
  keyOf: (message) => message.name,
  skippedFor: (message) => (message.type === 'alive' ? message.name : undefined),
  sameNews: (held, heard) => held.type === heard.type && held.incarnation === heard.incarnation,
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
 * Each update is sent until it has gone out `limit` times. Beyond `maxSize` messages the
 * most-sent is dropped (never a priority one), so a queue that fills faster than it drains
 * stays bounded.
 */
export class BroadcastQueue<M = UpdateMessage> {
  private readonly byName = new Map<string, Item<M>>();
  /**
   * Items that count echoes, by their member's table slot: a storm's every duplicate `alive`
   * looks here, and an array index is a fifth of the CPU a Map lookup by name was (1,000
   * joining: 5.5 s of 20).
   */
  private readonly byEchoSlot: (Item<M> | undefined)[] = [];
  private readonly priorityTier = new Tier<M>();
  private readonly tiers: Tier<M>[] = [];
  private readonly keying: QueueKeying<M>;
  /** Messages dropped to hold the queue at maxSize. */
  dropped = 0;

  constructor(
    private readonly maxSize: number,
    keying?: QueueKeying<M>,
  ) {
    // The default is the membership queue's; other message kinds say how they are keyed.
    this.keying = keying ?? (UPDATE_KEYING as unknown as QueueKeying<M>);
  }

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** `echoSlot`: count a peer's copy of this message as one of our sends (heardAgain), found by this table slot. */
  enqueue(message: M, bytes: number, priority = false, echoSlot = -1): void {
    const key = this.keying.keyOf(message);
    this.remove(key);
    const tier = priority ? this.priorityTier : this.tier(0);
    const skippedFor = this.keying.skippedFor(message);
    const item: Item<M> = { key, message, skippedFor, bytes, priority, echoSlot: priority ? -1 : echoSlot, transmits: 0, tier, prev: undefined, next: undefined };
    tier.append(item);
    this.byName.set(key, item);
    if (item.echoSlot >= 0) this.byEchoSlot[item.echoSlot] = item;
    if (this.byName.size > this.maxSize) this.dropMostSent();
  }

  private dropMostSent(): void {
    for (let t = this.tiers.length - 1; t >= 0; t--) {
      const first = this.tiers[t]?.head;
      if (first !== undefined) {
        this.remove(first.key);
        this.dropped++;
        return;
      }
    }
  }

  remove(name: string): void {
    const item = this.byName.get(name);
    if (item === undefined) return;
    item.tier.unlink(item);
    this.byName.delete(name);
    if (item.echoSlot >= 0 && this.byEchoSlot[item.echoSlot] === item) this.byEchoSlot[item.echoSlot] = undefined;
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
    const consider = (tier: Tier<M>): boolean => {
      for (let item = tier.head; item !== undefined; item = item.next) {
        if (item.skippedFor !== undefined && item.skippedFor === recipient) continue;
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
        item.tier.unlink(item);
        this.tier(item.transmits).append(item);
      }
    }
    return messages;
  }

  /**
   * A peer sent us `heard`: if we hold that very news queued under `slot` to count echoes, that
   * is one transmission of ours, and it moves behind those sent less, so news the peer lacks
   * goes before news it gossips to us.
   */
  heardAgain(slot: number, heard: M, limit: number): void {
    const item = this.byEchoSlot[slot];
    // The key too: a slot freed (a member forgotten) may hold someone else now.
    if (item === undefined || item.key !== this.keying.keyOf(heard) || this.keying.sameNews?.(item.message, heard) !== true) return;
    item.transmits++;
    if (item.transmits >= limit) {
      this.remove(item.key);
      return;
    }
    item.tier.unlink(item);
    this.tier(item.transmits).append(item);
  }

  private tier(transmits: number): Tier<M> {
    let tier = this.tiers[transmits];
    if (tier === undefined) {
      tier = new Tier<M>();
      this.tiers[transmits] = tier;
    }
    return tier;
  }
}

/** How many times each update is sent: retransmitMult × ceil(log10(n + 1)) (SWIM λ log n). */
export function retransmitLimit(retransmitMult: number, clusterSize: number): number {
  return retransmitMult * Math.max(1, Math.ceil(Math.log10(clusterSize + 1)));
}

/**
 * How many times each holder sends a user event: λ log n, or more where that is too few for an
 * event to reach all n members with probability 1 − userEventMissTarget at userEventAssumedLoss.
 * A member gets about L(1 − loss) copies (every holder sends L to random members), so it misses
 * all of them with probability e^(−L(1 − loss)), and some member misses with n times that:
 * L ≥ (ln n + ln(1 / target)) / (1 − loss). That is 12 sends at 4 members, 15 at 50, 18 at 1,000
 * and 21 at 10,000: λ log n at lan timing from about 1,000 members on.
 */
export function userEventTransmitLimit(retransmitMult: number, clusterSize: number): number {
  const members = Math.max(2, clusterSize);
  const reach = (Math.log(members) - Math.log(PROTOCOL_LIMITS.userEventMissTarget)) / (1 - PROTOCOL_LIMITS.userEventAssumedLoss);
  return Math.max(retransmitLimit(retransmitMult, clusterSize), Math.ceil(reach));
}
