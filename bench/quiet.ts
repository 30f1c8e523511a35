// Waits for the machine to be quiet before a cluster starts, so that one system's shutdown (200
// processes leaving at once) is not the next one's start-up load. In the first full run, Serf at
// N=200 started right after gossipd's 200 processes had closed (load 37) and never converged;
// started on a quiet machine, it did.
import { machineCpuTicks } from './procfs.js';
import { sleep } from './wait.js';

/** The CPUs must be this idle over one window before a cluster starts… */
export const QUIET_MIN_IDLE = 0.9;
/** …waiting at most this long. */
export const QUIET_MAX_WAIT_MS = 180_000;
const QUIET_WINDOW_MS = 5_000;

/** CPU idle share (0–1) over the window; null where /proc/stat is missing. */
async function idleShare(windowMs: number): Promise<number | null> {
  const before = machineCpuTicks();
  await sleep(windowMs);
  const after = machineCpuTicks();
  if (before === null || after === null || after.total === before.total) return null;
  return (after.idle - before.idle) / (after.total - before.total);
}

export interface Quiet {
  /** How long the wait took. */
  readonly waitedMs: number;
  /** CPU idle share over the last window (null: not measurable here). */
  readonly idle: number | null;
}

/** Until the CPUs are at least QUIET_MIN_IDLE idle over a 5 s window, for at most QUIET_MAX_WAIT_MS. */
export async function waitForQuiet(): Promise<Quiet> {
  const startMs = performance.now();
  let idle: number | null = null;
  do {
    idle = await idleShare(QUIET_WINDOW_MS);
    if (idle === null || idle >= QUIET_MIN_IDLE) break;
  } while (performance.now() - startMs < QUIET_MAX_WAIT_MS);
  return { waitedMs: performance.now() - startMs, idle };
}
