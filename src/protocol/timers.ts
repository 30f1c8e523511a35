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

/** The one live setting of a timer (kind, key); heap entries of an older setting are stale. */
interface TimerSetting {
  generation: number;
  atMs: number;
  live: boolean;
}

interface Timer {
  readonly atMs: number;
  readonly kind: TimerKind;
  readonly key: string;
  readonly generation: number;
  /** Read instead of looking the id up: the heap's top is checked after every input. */
  readonly setting: TimerSetting;
}

export interface DueTimer {
  readonly kind: TimerKind;
  readonly key: string;
  readonly atMs: number;
}

export class TimerQueue {
  // Timers due at the same moment fire in the order they were set: were ties left to the
  // heap's layout, one timer more or less set anywhere (a superseded one) would reorder them
  // and change a seeded run.
  private readonly heap = new MinHeap<Timer>((a, b) => a.atMs < b.atMs || (a.atMs === b.atMs && a.generation < b.generation));
  private readonly current = new Map<string, TimerSetting>();
  private generation = 0;

  /** Sets (or moves) the single timer of this kind and key. */
  set(kind: TimerKind, key: string, atMs: number): void {
    const generation = ++this.generation;
    const id = timerId(kind, key);
    let setting = this.current.get(id);
    if (setting === undefined) {
      setting = { generation, atMs, live: true };
      this.current.set(id, setting);
    } else {
      setting.generation = generation;
      setting.atMs = atMs;
    }
    this.heap.push({ atMs, kind, key, generation, setting });
  }

  cancel(kind: TimerKind, key: string): void {
    const id = timerId(kind, key);
    const setting = this.current.get(id);
    if (setting === undefined) return;
    setting.live = false;
    this.current.delete(id);
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
    top.setting.live = false;
    this.current.delete(timerId(top.kind, top.key));
    return top;
  }

  private dropStale(): void {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (top.setting.live && top.setting.generation === top.generation) return;
      this.heap.pop();
    }
  }
}

function timerId(kind: TimerKind, key: string): string {
  return key === '' ? kind : `${kind}\u0000${key}`;
}
