import { performance } from 'node:perf_hooks';

/**
 * Time as the agent sees it, injected (createAgent's deps) so tests can set the wall clock
 * and benchmarks can replay; the protocol core gets its time from here too.
 */
export interface Clock {
  /** Monotonic milliseconds: the core's time, so wall-clock jumps do not move deadlines. */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the epoch: incarnations, event ids, ISO times. */
  wallMs(): number;
  /** Calls `callback` once, `delayMs` from now; the returned function cancels it. */
  after(delayMs: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  after: (delayMs, callback) => {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
};
