import { writeSnapshotFile } from './snapshot-file.js';
import type { Snapshot } from './snapshot-format.js';

/** Snapshots are rewritten at most this often while members come and go. */
export const SNAPSHOT_MIN_INTERVAL_MS = 1000;

export interface SnapshotWriterOptions {
  readonly dir: string;
  /** Builds the snapshot to write from the agent's current state. */
  readonly build: () => Snapshot;
  readonly onError: (error: Error) => void;
  /** Default SNAPSHOT_MIN_INTERVAL_MS. */
  readonly minIntervalMs?: number;
  /** Monotonic clock, ms. */
  readonly nowMs: () => number;
}

/**
 * Writes the snapshot when membership changes, at most once per minIntervalMs (a join of a big
 * cluster changes thousands of rows in a second), one write at a time, and once more at close.
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastWriteMs = -Infinity;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Completed writes, for tests and logs. */
  writes = 0;

  constructor(private readonly options: SnapshotWriterOptions) {}

  /** Something worth remembering changed: write soon. */
  changed(): void {
    if (this.closed || this.timer !== undefined) return;
    const minIntervalMs = this.options.minIntervalMs ?? SNAPSHOT_MIN_INTERVAL_MS;
    const delayMs = Math.max(0, this.lastWriteMs + minIntervalMs - this.options.nowMs());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, delayMs);
    // A pending snapshot must not keep a stopping process alive; close() writes the last one.
    this.timer.unref();
  }

  /** Writes a final snapshot and waits for every write to finish. Never rejects. */
  async close(): Promise<void> {
    if (this.closed) return this.writing;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return this.writeNow();
  }

  private writeNow(): Promise<void> {
    this.lastWriteMs = this.options.nowMs();
    let snapshot: Snapshot;
    try {
      snapshot = this.options.build();
    } catch (error) {
      this.options.onError(error as Error);
      return this.writing;
    }
    this.writing = this.writing
      .then(() => writeSnapshotFile(this.options.dir, snapshot))
      .then(() => {
        this.writes++;
      })
      .catch((error: unknown) => this.options.onError(error instanceof Error ? error : new Error(String(error))));
    return this.writing;
  }
}
