import type { NodeContext } from './context.js';

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
    const expired = ctx.table.all().filter((m) => (m.status === 'failed' || m.status === 'left') && m.sinceMs <= cutoff);
    for (const member of expired) {
      if (member === ctx.self) continue;
      ctx.table.remove(member.name);
      ctx.queue.remove(member.name);
      ctx.coordinates.forget(member.name);
      ctx.emit({ type: 'member-reaped', name: member.name });
    }
  }
}
