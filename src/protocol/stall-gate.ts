import type { NodeContext } from './context.js';
import type { TimerKind } from './timers.js';

/** Timers that fire this much later than planned mean our own process stalled (GC, SIGSTOP, overload). */
const STALL_TOLERANCE_MIN_MS = 50;
/** After a stall, a late protocol timer waits this long so packets queued meanwhile are read first. */
const STALL_GRACE_MS = 20;

/**
 * The Node.js twist on Lifeguard (DESIGN §2): a node whose own process just stalled does not
 * judge anyone for a round, because the acks it missed may be waiting unread in its socket.
 * Stalls are seen as late timers and reported loop delays; each raises local health.
 */
export class StallGate {
  private lastStallMs = -Infinity;
  private readonly toleranceMs: number;

  constructor(private readonly ctx: NodeContext) {
    this.toleranceMs = Math.max(STALL_TOLERANCE_MIN_MS, ctx.options.probeTimeoutMs / 2);
  }

  /** The event loop was blocked for `delayMs` (Node's monitorEventLoopDelay). */
  noteLoopDelay(delayMs: number): void {
    if (delayMs > this.toleranceMs) this.noteStall();
  }

  /**
   * Whether a due timer must wait: a judging timer that fires late means we were frozen, so it
   * is put off by a short grace in which the shell reads what queued up meanwhile.
   */
  holdsBack(kind: TimerKind, key: string, dueAtMs: number): boolean {
    const ctx = this.ctx;
    if (!isJudging(kind) || ctx.nowMs - dueAtMs <= this.toleranceMs) return false;
    this.noteStall();
    ctx.timers.set(kind, key, ctx.nowMs + STALL_GRACE_MS);
    return true;
  }

  /** Whether we stalled within the last (health-scaled) probe interval. */
  stalledRecently(): boolean {
    const ctx = this.ctx;
    return ctx.nowMs - this.lastStallMs < ctx.awareness.scale(ctx.options.probeIntervalMs);
  }

  private noteStall(): void {
    const ctx = this.ctx;
    if (ctx.nowMs - this.lastStallMs > ctx.options.probeIntervalMs) ctx.awareness.apply(1);
    this.lastStallMs = ctx.nowMs;
    ctx.stats.stalls++;
  }
}

/** Timers whose work judges other members: run late, they would blame others for our stall. */
function isJudging(kind: TimerKind): boolean {
  return kind === 'probe' || kind === 'probe-timeout' || kind === 'check-timeout' || kind === 'check-end' || kind === 'suspicion';
}
