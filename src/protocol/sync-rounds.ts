import type { NodeContext } from './context.js';
import { PROTOCOL_LIMITS } from './limits.js';
import { addressKey, type Address } from './types.js';

/** How long an opened round waits for its answer; later answers are dropped as unsolicited. */
const ROUND_TTL_MS = 15_000;
/** Times one step of a round is sent again when its answer does not come (a lost datagram). */
export const ROUND_RETRIES = 2;

/**
 * Where a round stands on our side: `opened` waits for a challenge or the bucket digests (or,
 * in a join, the whole table); `pulled` sent our entries of the differing buckets and waits
 * for theirs, and for the next part of their bucket sums if `next` is set.
 */
export type RoundStep =
  | { readonly kind: 'opened' }
  | { readonly kind: 'pulled'; readonly bucketCount: number; readonly indices: readonly number[]; readonly next?: number };

export interface SyncRound {
  readonly addr: Address;
  readonly nonce: number;
  readonly join: boolean;
  readonly openedMs: number;
  step: RoundStep;
  /** The digest our last sync of this round carried: a one-sum answer equal to it means "we agree". */
  sentDigest: number;
  /** Sends of the current step still allowed when its answer does not come. */
  retriesLeft: number;
}

/**
 * The anti-entropy rounds this node opened, by peer address. An answer (`challenge`, `buckets`)
 * counts only if it echoes the round's random nonce: it proves the peer got our sync at that
 * address, which validates the address from our side, and a forged answer from anywhere else
 * makes us send nothing. Every step waits for an answer (the peer answers even a sync whose
 * digest equals its own), so a lost datagram is sent again instead of leaving the tables
 * apart until the next regular round (tens of seconds).
 */
export class SyncRounds {
  private readonly rounds = new Map<string, SyncRound>();

  constructor(private readonly ctx: NodeContext) {}

  /** Opens (or reopens) a round with `addr`; returns it. */
  open(addr: Address, join: boolean): SyncRound {
    const ctx = this.ctx;
    const key = addressKey(addr);
    const nonce = Math.floor(ctx.random.next() * 0x1_0000_0000) >>> 0;
    const round: SyncRound = { addr, nonce, join, openedMs: ctx.nowMs, step: { kind: 'opened' }, sentDigest: ctx.table.digest, retriesLeft: ROUND_RETRIES };
    this.rounds.delete(key);
    this.rounds.set(key, round);
    if (this.rounds.size > PROTOCOL_LIMITS.maxOpenRounds) {
      const oldest = this.rounds.keys().next();
      if (oldest.done !== true) this.closeKey(oldest.value);
    }
    this.armRetry(round);
    return round;
  }

  /** The open round with `addr` whose nonce this is, if it has not expired. */
  matching(addr: Address, nonce: number): SyncRound | undefined {
    const round = this.with(addr);
    return round?.nonce === nonce ? round : undefined;
  }

  /** The open round with `addr`, if it has not expired. */
  with(addr: Address): SyncRound | undefined {
    const key = addressKey(addr);
    const round = this.rounds.get(key);
    if (round === undefined) return undefined;
    if (this.ctx.nowMs - round.openedMs > ROUND_TTL_MS) {
      this.close(addr);
      return undefined;
    }
    return round;
  }

  /** The round moved on (or its step is sent again): wait for the answer to this step. */
  advance(round: SyncRound, step: RoundStep): void {
    if (step !== round.step) round.retriesLeft = ROUND_RETRIES;
    round.step = step;
    this.armRetry(round);
  }

  close(addr: Address): void {
    this.closeKey(addressKey(addr));
  }

  private closeKey(key: string): void {
    this.rounds.delete(key);
    this.ctx.timers.cancel('sync-retry', key);
  }

  /** The round whose retry timer this is (its addressKey). */
  byKey(key: string): SyncRound | undefined {
    const round = this.rounds.get(key);
    return round === undefined ? undefined : this.with(round.addr);
  }

  private armRetry(round: SyncRound): void {
    const ctx = this.ctx;
    ctx.timers.set('sync-retry', addressKey(round.addr), ctx.nowMs + ctx.options.probeTimeoutMs);
  }
}
