import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Reports the worst event-loop delay seen in each period, so the core can tell that its own
 * process stalled (GC, CPU starvation) and not blame peers for the acks it failed to read.
 */
export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram;
  private readonly interval: NodeJS.Timeout;
  /** Worst delay of the last full period, in ms (0 when none): what GET /metrics shows. */
  lastMaxMs = 0;

  /**
   * Every sample wakes the process, so `resolutionMs` (whole ms, as Node requires) is a cost:
   * at 20 ms, 50 wake-ups a second were a third of an idle agent's CPU. A stall is seen once it
   * outlasts the resolution, so choose it well below the stall the core must notice.
   */
  constructor(periodMs: number, resolutionMs: number, report: (maxDelayMs: number) => void) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
    this.interval = setInterval(() => {
      // The histogram is in nanoseconds and includes the sampling resolution itself.
      const maxDelayMs = this.histogram.max / 1e6 - resolutionMs;
      this.histogram.reset();
      this.lastMaxMs = Math.max(0, maxDelayMs);
      if (maxDelayMs > 0) report(maxDelayMs);
    }, periodMs);
    this.interval.unref();
  }

  stop(): void {
    clearInterval(this.interval);
    this.histogram.disable();
  }
}
