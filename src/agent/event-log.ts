import type { EventBody, MembershipEvent } from './membership-event.js';

/**
 * Sent instead of the events a resuming reader missed when they are no longer buffered.
 * `lost` is how many; null when `lastEventId` is not from this run of the agent (it restarted,
 * or the id is made up), so nobody can say.
 */
export interface EventGap {
  readonly type: 'gap';
  readonly lastEventId: number;
  /** The first id replayed after the gap; the next new event's id when none is buffered. */
  readonly firstId: number;
  readonly lost: number | null;
}

export type FeedItem = { readonly kind: 'event'; readonly event: MembershipEvent } | { readonly kind: 'gap'; readonly gap: EventGap };

export interface FeedListener {
  onItem(item: FeedItem): void;
  /** The log closed (the agent is stopping): no more items will come. */
  onEnd(): void;
}

export interface Subscription {
  close(): void;
}

/** What readers of the event log see: the HTTP endpoint, hooks and webhooks. */
export interface EventFeed {
  /** The id of the latest event (or the log's starting point before any): the blocking-query index. */
  index(): number;
  /**
   * Live events from now on. With `after` (a Last-Event-ID), the buffered events after it are
   * delivered first, synchronously, preceded by a gap item if some are no longer buffered.
   */
  subscribe(after: number | null, listener: FeedListener): Subscription;
  /**
   * Resolves with the index once it differs from `index`, when `timeoutMs` runs out, when
   * `signal` aborts, or when the log closes; at once if it already differs.
   */
  waitForChange(index: number, timeoutMs: number, signal?: AbortSignal): Promise<number>;
}

export interface EventLogOptions {
  /** Events kept for resumption. */
  readonly capacity: number;
  /**
   * The index before the first event; the first event gets `startIndex + 1`. The agent starts
   * from its start time in microseconds, so ids keep increasing across restarts and a reader
   * holding an id from an earlier run is told of the gap instead of skipping events.
   */
  readonly startIndex: number;
  readonly wallClockMs: () => number;
  /** A listener threw: reported, never passed on to the protocol core that emitted the event. */
  readonly onListenerError: (error: unknown) => void;
}

/**
 * The membership events this agent saw: a ring buffer of the last `capacity`, each with an
 * increasing id, and the readers waiting for the next. The agent appends from its core's
 * event callback; nothing here does I/O.
 */
export class EventLog implements EventFeed {
  /** Event with id k sits at slot k % capacity. */
  private readonly ring: (MembershipEvent | undefined)[];
  private lastId: number;
  private readonly listeners = new Set<FeedListener>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: EventLogOptions) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1) throw new Error('event log capacity must be ≥ 1');
    this.ring = new Array<MembershipEvent | undefined>(options.capacity).fill(undefined);
    this.lastId = options.startIndex;
  }

  index(): number {
    return this.lastId;
  }

  append(body: EventBody): MembershipEvent {
    const event: MembershipEvent = { id: this.lastId + 1, time: new Date(this.options.wallClockMs()).toISOString(), ...body };
    this.lastId = event.id;
    this.ring[event.id % this.options.capacity] = event;
    if (this.closed) return event;
    for (const listener of [...this.listeners]) this.deliver(listener, { kind: 'event', event });
    for (const wake of [...this.waiters]) wake();
    return event;
  }

  subscribe(after: number | null, listener: FeedListener): Subscription {
    if (this.closed) {
      listener.onEnd();
      return { close: () => undefined };
    }
    if (after !== null) for (const item of this.replay(after)) this.deliver(listener, item);
    this.listeners.add(listener);
    return { close: () => this.listeners.delete(listener) };
  }

  waitForChange(index: number, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (this.closed || index !== this.lastId || signal?.aborted === true) return Promise.resolve(this.lastId);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve(this.lastId);
      };
      // Unref'd: a pending long poll must not keep an embedding process alive.
      const timer = setTimeout(wake, timeoutMs).unref();
      signal?.addEventListener('abort', wake, { once: true });
      this.waiters.add(wake);
    });
  }

  /** Ends every subscription and wakes every waiter: the agent is stopping. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const wake of [...this.waiters]) wake();
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) {
      try {
        listener.onEnd();
      } catch (error) {
        this.options.onListenerError(error);
      }
    }
  }

  /** The id of the oldest event still buffered (lastId + 1 when none is). */
  private firstBufferedId(): number {
    return Math.max(this.options.startIndex + 1, this.lastId - this.options.capacity + 1);
  }

  private *replay(after: number): Generator<FeedItem> {
    if (after === this.lastId) return;
    const first = this.firstBufferedId();
    const fromThisRun = after >= this.options.startIndex && after < this.lastId;
    const from = fromThisRun ? Math.max(first, after + 1) : first;
    if (!fromThisRun) {
      yield { kind: 'gap', gap: { type: 'gap', lastEventId: after, firstId: first, lost: null } };
    } else if (after < first - 1) {
      yield { kind: 'gap', gap: { type: 'gap', lastEventId: after, firstId: first, lost: first - 1 - after } };
    }
    // An id not of this run says nothing about which of our events the reader saw: replay all
    // that are buffered (a duplicate is better than a silent loss).
    for (let id = from; id <= this.lastId; id++) {
      const event = this.ring[id % this.options.capacity];
      if (event !== undefined) yield { kind: 'event', event };
    }
  }

  private deliver(listener: FeedListener, item: FeedItem): void {
    try {
      listener.onItem(item);
    } catch (error) {
      this.options.onListenerError(error);
    }
  }
}
