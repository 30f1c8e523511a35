export interface SerialQueueOptions<T> {
  /** Items waiting (the one running not counted); beyond it the oldest waiting one is dropped. */
  readonly capacity: number;
  /** Handles one item; the next starts only when it settles. Must not reject (a rejection is passed to onError). */
  readonly run: (item: T) => Promise<void>;
  /** An item was dropped to make room; `dropped` counts every drop so far. */
  readonly onDrop: (item: T, dropped: number) => void;
  readonly onError: (error: unknown) => void;
}

/**
 * Items handled one at a time, in order, with a bounded backlog that sheds its oldest items:
 * the newest membership news is the most useful to a hook or webhook that fell behind.
 */
export class SerialQueue<T> {
  private readonly waiting: T[] = [];
  private running = false;
  private stopped = false;
  private dropped = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SerialQueueOptions<T>) {}

  get pending(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  push(item: T): void {
    if (this.stopped) return;
    this.waiting.push(item);
    if (this.waiting.length > this.options.capacity) {
      const oldest = this.waiting.shift();
      this.dropped += 1;
      if (oldest !== undefined) this.options.onDrop(oldest, this.dropped);
    }
    if (!this.running) {
      this.running = true;
      // Not on the caller's stack: the caller is the protocol core emitting an event.
      setImmediate(() => void this.drain());
    }
  }

  /** Stops taking items and forgets those waiting; the one running finishes. Returns how many were forgotten. */
  stop(): number {
    this.stopped = true;
    const forgotten = this.waiting.length;
    this.waiting.length = 0;
    if (!this.running) this.wakeIdle();
    return forgotten;
  }

  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    for (let item = this.waiting.shift(); item !== undefined; item = this.waiting.shift()) {
      try {
        await this.options.run(item);
      } catch (error) {
        this.options.onError(error);
      }
    }
    this.running = false;
    this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
