import type { AntiEntropy } from './anti-entropy.js';
import type { NodeContext } from './context.js';
import type { Dissemination } from './dissemination.js';
import type { Joiner } from './join.js';

/**
 * Serf-style healing: now and then ask a failed member for its table, so both sides of a
 * healed partition merge without an operator. A node left alone retries its seeds instead.
 */
export class Reconnector {
  constructor(
    private readonly ctx: NodeContext,
    private readonly dissemination: Dissemination,
    private readonly joiner: Joiner,
    private readonly antiEntropy: AntiEntropy,
  ) {}

  onReconnectTimer(): void {
    this.reconnect();
    this.ctx.timers.set('reconnect', '', this.ctx.nowMs + this.ctx.options.reconnectIntervalMs);
  }

  private reconnect(): void {
    const ctx = this.ctx;
    if (ctx.leaving || this.joiner.retryIfAlone()) return;
    if (ctx.table.count('failed') === 0) return;
    // Only members that failed within reconnectTimeout are retried; older ones wait for the reaper.
    const cutoffMs = ctx.nowMs - ctx.options.reconnectTimeoutMs;
    const table = ctx.table;
    const retryable = (slot: number): boolean => table.statusAt(slot) === 'failed' && table.sinceAt(slot) >= cutoffMs;
    let failed = 0;
    for (let slot = 0; slot < table.size; slot++) if (retryable(slot)) failed++;
    if (failed === 0) return;
    // One member in the cluster retries per interval on average, whatever its size.
    if (ctx.random.next() >= failed / Math.max(1, table.activeCount)) return;
    const [target] = table.sample(ctx.random, 1, retryable);
    // Tables on the two sides of a healed partition differ: the round exchanges the differing buckets.
    if (target !== undefined) this.dissemination.sendWithGossip(target.addr, [this.antiEntropy.opener(target.addr, false)]);
  }
}
