import type { AntiEntropy } from './anti-entropy.js';
import type { NodeContext } from './context.js';
import type { Dissemination } from './dissemination.js';
import { addressKey, sameAddress, type Address } from './types.js';

interface JoinAttempt {
  readonly id: number;
  readonly seeds: Map<string, { readonly addr: Address; answered: boolean }>;
  /** Table sizes of the seeds whose tables we fetch (at most MAX_FETCHES_PER_JOIN). */
  readonly fetched: Map<string, number>;
  /** Startup joins retry with backoff until a seed answers; operator joins do not. */
  readonly retry: boolean;
}

/** Join retry backoff: 1 s, 2 s, 4 s … capped at 30 s. */
const JOIN_RETRY_BASE_MS = 1000;
const JOIN_RETRY_MAX_MS = 30_000;
/** Whole tables a join fetches at most: one, and a second from a seed that knows far more. */
const MAX_FETCHES_PER_JOIN = 2;

/**
 * Joining: a join-flagged sync to each seed. Each seed learns of us from the alive it carries
 * and answers with a cookie challenge (address validation); we complete the handshake with
 * the first seed that answers only, so a join costs one whole-table transfer however many
 * seeds are given. An attempt ends when every seed answered or its window closed (`join-finished`); startup joins
 * are retried with backoff while no seed answers, and again whenever we find ourselves alone.
 */
export class Joiner {
  private readonly attempts = new Map<number, JoinAttempt>();
  private counter = 0;
  /** The startup seeds, kept for retries. */
  private seeds: Address[] = [];
  private retryMs = JOIN_RETRY_BASE_MS;

  constructor(
    private readonly ctx: NodeContext,
    private readonly dissemination: Dissemination,
    private readonly antiEntropy: AntiEntropy,
  ) {}

  /** Starts an attempt; returns its id, which its join-finished event echoes. */
  join(seeds: readonly Address[], retry: boolean): number {
    const ctx = this.ctx;
    const id = ++this.counter;
    const attempt: JoinAttempt = { id, seeds: new Map(), retry, fetched: new Map() };
    for (const addr of seeds) {
      if (sameAddress(addr, ctx.self.addr)) continue;
      attempt.seeds.set(addressKey(addr), { addr, answered: false });
    }
    if (retry) this.seeds = [...attempt.seeds.values()].map((s) => s.addr);
    if (attempt.seeds.size === 0) {
      ctx.emit({ type: 'join-finished', attempt: id, joined: 0, seeds: 0 });
      return id;
    }
    this.attempts.set(id, attempt);
    for (const seed of attempt.seeds.values()) {
      this.dissemination.sendWithGossip(seed.addr, [this.antiEntropy.opener(seed.addr, true)]);
    }
    ctx.timers.set('join-window', String(id), ctx.nowMs + this.windowMs());
    return id;
  }

  /** Whether we are alone with seeds to try and no retry planned: then retry them now. */
  retryIfAlone(): boolean {
    if (this.ctx.table.activeCount > 1 || this.seeds.length === 0 || this.ctx.timers.isSet('join-retry', '')) return false;
    this.join(this.seeds, true);
    return true;
  }

  onRetryTimer(): void {
    if (this.ctx.table.activeCount <= 1 && this.seeds.length > 0) this.join(this.seeds, true);
  }

  /**
   * A seed challenged our join: it answered. True if its table is one to fetch: the first seed
   * of an attempt to answer, and a second one only if it knows more than twice as many members
   * (the first may be a member that restarted a moment ago, with a table of a few).
   */
  onChallenged(from: Address, members: number): boolean {
    const key = addressKey(from);
    let fetch = false;
    for (const attempt of this.attempts.values()) {
      if (!attempt.seeds.has(key)) continue;
      const largest = Math.max(0, ...attempt.fetched.values());
      const wanted = attempt.fetched.has(key) || attempt.fetched.size === 0 || (attempt.fetched.size < MAX_FETCHES_PER_JOIN && members > 2 * largest);
      if (!wanted) continue;
      attempt.fetched.set(key, members);
      fetch = true;
    }
    this.onStateFrom(from);
    return fetch;
  }

  /** A seed answered (a challenge or a table): once every seed has, the attempt is finished. */
  onStateFrom(from: Address): void {
    const key = addressKey(from);
    for (const attempt of this.attempts.values()) {
      const seed = attempt.seeds.get(key);
      if (seed === undefined || seed.answered) continue;
      seed.answered = true;
      if ([...attempt.seeds.values()].every((s) => s.answered)) this.finish(attempt);
    }
  }

  onWindowClosed(id: number): void {
    const attempt = this.attempts.get(id);
    if (attempt !== undefined) this.finish(attempt);
  }

  private finish(attempt: JoinAttempt): void {
    const ctx = this.ctx;
    this.attempts.delete(attempt.id);
    ctx.timers.cancel('join-window', String(attempt.id));
    const joined = [...attempt.seeds.values()].filter((s) => s.answered).length;
    ctx.emit({ type: 'join-finished', attempt: attempt.id, joined, seeds: attempt.seeds.size });
    if (!attempt.retry) return;
    if (joined > 0) {
      this.retryMs = JOIN_RETRY_BASE_MS;
      return;
    }
    ctx.timers.set('join-retry', '', ctx.nowMs + this.retryMs);
    this.retryMs = Math.min(JOIN_RETRY_MAX_MS, this.retryMs * 2);
  }

  /** Long enough for a seed's answer under local timing; at least a second. */
  private windowMs(): number {
    return Math.max(1000, 4 * this.ctx.options.probeTimeoutMs);
  }
}
