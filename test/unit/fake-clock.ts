import type { Clock } from '../../src/agent/clock.js';

/** A clock that moves only when the test says: timers fire inside advance(). */
export class FakeClock implements Clock {
  private nowMs = 0;
  private readonly timers = new Map<number, { readonly atMs: number; readonly callback: () => void }>();
  private nextId = 0;

  constructor(private readonly wallOriginMs = 1_700_000_000_000) {}

  monotonicMs(): number {
    return this.nowMs;
  }

  wallMs(): number {
    return this.wallOriginMs + this.nowMs;
  }

  after(delayMs: number, callback: () => void): () => void {
    const id = this.nextId++;
    this.timers.set(id, { atMs: this.nowMs + Math.max(0, delayMs), callback });
    return () => this.timers.delete(id);
  }

  /** Moves time forward by `ms`, firing every timer due on the way, earliest first. */
  advance(ms: number): void {
    const untilMs = this.nowMs + ms;
    for (;;) {
      let next: [number, { readonly atMs: number; readonly callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].atMs <= untilMs && (next === undefined || entry[1].atMs < next[1].atMs)) next = entry;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.nowMs = Math.max(this.nowMs, next[1].atMs);
      next[1].callback();
    }
    this.nowMs = untilMs;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}
