// Waits for the machine to be quiet before a cluster starts, so that one system's shutdown (200
// processes leaving at once) is not the next one's start-up load. In the first full run, Serf at
// N=200 started right after gossipd's 200 processes had closed (load 37) and never converged;
// started on a quiet machine, it did.
import { readFileSync } from 'node:fs';
import { sleep } from './wait.js';

/** CPU idle share (0–1) over the window, from /proc/stat; null where /proc/stat is missing. */
async function idleShare(windowMs: number): Promise<number | null> {
  const before = cpuTimes();
  await sleep(windowMs);
  const after = cpuTimes();
  if (before === null || after === null || after.total === before.total) return null;
  return (after.idle - before.idle) / (after.total - before.total);
}

function cpuTimes(): { idle: number; total: number } | null {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return null;
  }
  const fields = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 5 || fields.some((f) => !Number.isFinite(f))) return null;
  // idle + iowait count as idle.
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}

export interface Quiet {
  /** How long the wait took. */
  readonly waitedMs: number;
  /** CPU idle share over the last window (null: not measurable here). */
  readonly idle: number | null;
}

/** Until the CPUs are at least `minIdle` idle over a 5 s window, for at most `maxWaitMs`. */
export async function waitForQuiet(minIdle = 0.9, maxWaitMs = 180_000): Promise<Quiet> {
  const startMs = performance.now();
  let idle: number | null = null;
  do {
    idle = await idleShare(5_000);
    if (idle === null || idle >= minIdle) break;
  } while (performance.now() - startMs < maxWaitMs);
  return { waitedMs: performance.now() - startMs, idle };
}
