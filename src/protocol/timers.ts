import { MinHeap } from './min-heap.js';

/**
 * The core's own timer list: a binary min-heap of deadlines. The shell (or the simulator)
 * asks for the earliest deadline and calls tick() then; the core never touches real timers.
 * Cancelled timers are dropped lazily by generation number.
 */
export type TimerKind =
  | 'probe'
  | 'probe-timeout'
  | 'check-timeout'
  | 'check-end'
  | 'gossip'
  | 'sync'
  | 'sync-retry'
  | 'suspicion'
  | 'relay'
  | 'join-retry'
  | 'join-window'
  | 'reap'
  | 'reconnect'
  | 'event-hold';

interface Timer {
  readonly atMs: number;
  readonly kind: TimerKind;
  readonly key: string;
  readonly generation: number;
}

export interface DueTimer {
  readonly kind: TimerKind;
  readonly key: string;
  readonly atMs: number;
}

export class TimerQueue {
  private readonly heap = new MinHeap<Timer>((a, b) => a.atMs < b.atMs);
  private readonly current = new Map<string, { readonly generation: number; readonly atMs: number }>();
  private generation = 0;

  /** Sets (or moves) the single timer of this kind and key. */
  set(kind: TimerKind, key: string, atMs: number): void {
    const generation = ++this.generation;
    this.current.set(timerId(kind, key), { generation, atMs });
    this.heap.push({ atMs, kind, key, generation });
  }

  cancel(kind: TimerKind, key: string): void {
    this.current.delete(timerId(kind, key));
  }

  isSet(kind: TimerKind, key: string): boolean {
    return this.current.has(timerId(kind, key));
  }

  /** When the timer of this kind and key fires, or Infinity if it is not set. */
  deadlineOf(kind: TimerKind, key: string): number {
    return this.current.get(timerId(kind, key))?.atMs ?? Infinity;
  }

  /** Earliest live deadline, or Infinity. */
  nextDeadlineMs(): number {
    this.dropStale();
    return this.heap.peek()?.atMs ?? Infinity;
  }

  /** Removes and returns the earliest timer due at or before `nowMs`. */
  popDue(nowMs: number): DueTimer | undefined {
    this.dropStale();
    const top = this.heap.peek();
    if (top === undefined || top.atMs > nowMs) return undefined;
    this.heap.pop();
    this.current.delete(timerId(top.kind, top.key));
    return top;
  }

  private dropStale(): void {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (this.current.get(timerId(top.kind, top.key))?.generation === top.generation) return;
      this.heap.pop();
    }
  }
}

function timerId(kind: TimerKind, key: string): string {
  return key === '' ? kind : `${kind}\u0000${key}`;
}
