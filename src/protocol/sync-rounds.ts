import type { NodeContext } from './context.js';
import { PROTOCOL_LIMITS } from './limits.js';
import { addressKey, type Address } from './types.js';

/** How long an opened round waits for its answer; later answers are dropped as unsolicited. */
const ROUND_TTL_MS = 15_000;

export interface SyncRound {
  readonly nonce: number;
  readonly join: boolean;
  readonly openedMs: number;
}

/**
 * The anti-entropy rounds this node opened, by peer address. An answer (`challenge`, `buckets`)
 * counts only if it echoes the round's random nonce: it proves the peer got our sync at that
 * address, which validates the address from our side, and a forged answer from anywhere else
 * makes us send nothing.
 */
export class SyncRounds {
  private readonly rounds = new Map<string, SyncRound>();

  constructor(private readonly ctx: NodeContext) {}

  /** Opens (or reopens) a round with `addr`; returns its nonce. */
  open(addr: Address, join: boolean): number {
    const ctx = this.ctx;
    const key = addressKey(addr);
    const nonce = Math.floor(ctx.random.next() * 0x1_0000_0000) >>> 0;
    this.rounds.delete(key);
    this.rounds.set(key, { nonce, join, openedMs: ctx.nowMs });
    if (this.rounds.size > PROTOCOL_LIMITS.maxOpenRounds) {
      const oldest = this.rounds.keys().next();
      if (oldest.done !== true) this.rounds.delete(oldest.value);
    }
    return nonce;
  }

  /** The open round with `addr` whose nonce this is, if it has not expired. */
  matching(addr: Address, nonce: number): SyncRound | undefined {
    const key = addressKey(addr);
    const round = this.rounds.get(key);
    if (round === undefined || round.nonce !== nonce) return undefined;
    if (this.ctx.nowMs - round.openedMs > ROUND_TTL_MS) {
      this.rounds.delete(key);
      return undefined;
    }
    return round;
  }

  close(addr: Address): void {
    this.rounds.delete(addressKey(addr));
  }
}
