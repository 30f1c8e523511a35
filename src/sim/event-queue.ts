import { MinHeap } from '../protocol/min-heap.js';

interface Scheduled<T> {
  readonly atMs: number;
  readonly order: number;
  readonly event: T;
}

/**
 * The simulator's agenda: events by virtual time, ties broken by insertion order, so a run is
 * a pure function of its seed.
 */
export class EventQueue<T> {
  private readonly heap = new MinHeap<Scheduled<T>>((a, b) => a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order));
  private counter = 0;

  get size(): number {
    return this.heap.size;
  }

  push(atMs: number, event: T): void {
    this.heap.push({ atMs, order: this.counter++, event });
  }

  peekTime(): number {
    return this.heap.peek()?.atMs ?? Infinity;
  }

  pop(): { readonly atMs: number; readonly event: T } | undefined {
    return this.heap.pop();
  }
}
