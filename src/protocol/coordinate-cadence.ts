/**
 * How often a member takes a Vivaldi sample (a probe whose ping asks for the target's
 * coordinate, which its ack carries). While its own error estimate is above `settledError` (a
 * new member, or one whose round trips stopped matching its coordinate) a member samples one
 * period in `warmupEvery`, for at most `warmupSamples` such samples (on a jittery network the
 * estimate may never fall, and more samples would not lower it); otherwise one period in
 * `settledEvery`. A sample costs about 175 bytes on the ring schedule (a ping and an ack of its
 * own, the ack with a coordinate of up to 57 bytes), 58 on round robin; the rates come from
 * bench/results/2026-12-02/coordinates/summary.md ("choosing the rate").
 */
export const COORDINATE_CADENCE = {
  /** Periods between samples after the warm-up. */
  settledEvery: 12,
  /** Vivaldi's own error estimate (0 certain … 1.5 knows nothing) under which the warm-up ends early. */
  settledError: 0.5,
  /** Periods between samples while warming up. */
  warmupEvery: 1,
  /** The most samples taken at the warm-up rate. */
  warmupSamples: 120,
} as const;

export type CoordinateCadenceConfig = { readonly [K in keyof typeof COORDINATE_CADENCE]: number };

/** Counts probe periods and says which ones sample. */
export class CoordinateCadence {
  private periodsSinceSample = Number.POSITIVE_INFINITY;
  private samples = 0;

  constructor(private readonly config: CoordinateCadenceConfig = COORDINATE_CADENCE) {}

  /** Called once a period with our current error estimate: whether this period takes a sample. */
  due(ownError: number): boolean {
    this.periodsSinceSample++;
    const warming = this.samples < this.config.warmupSamples && ownError > this.config.settledError;
    if (this.periodsSinceSample < (warming ? this.config.warmupEvery : this.config.settledEvery)) return false;
    this.periodsSinceSample = 0;
    this.samples++;
    return true;
  }
}
