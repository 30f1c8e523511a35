import type { NodeContext } from './context.js';
import type { NodeName } from './types.js';

/** Forgetting: failed and left members are kept (and shown) for reapTimeout, then removed. */
export class Reaper {
  constructor(private readonly ctx: NodeContext) {}

  onReapTimer(): void {
    this.reap();
    this.ctx.timers.set('reap', '', this.ctx.nowMs + this.checkIntervalMs());
  }

  /** A tenth of the reap timeout, between 1 s and a minute. */
  checkIntervalMs(): number {
    return Math.max(1000, Math.min(60_000, this.ctx.options.reapTimeoutMs / 10));
  }

  private reap(): void {
    const ctx = this.ctx;
    if (ctx.table.count('failed') + ctx.table.count('left') === 0) return;
    const cutoff = ctx.nowMs - ctx.options.reapTimeoutMs;
    const table = ctx.table;
    const expired: NodeName[] = [];
    for (let slot = 0; slot < table.size; slot++) {
      const status = table.statusAt(slot);
      if ((status === 'failed' || status === 'left') && table.sinceAt(slot) <= cutoff) expired.push(table.nameAt(slot));
    }
    for (const name of expired) {
      if (name === ctx.name) continue;
      table.remove(name);
      ctx.queue.remove(name);
      ctx.coordinates.forget(name);
      ctx.emit({ type: 'member-reaped', name });
    }
  }
}
