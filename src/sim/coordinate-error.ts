import { estimatedRttMs } from '../protocol/coordinates.js';
import { seededRandom } from '../protocol/random.js';
import type { NodeView } from '../protocol/view.js';

/** Quantiles of |estimated − true| / true round trip over pairs of members (fractions: 0.05 = 5 %). */
export interface ErrorQuantiles {
  /** Median over the pairs. */
  readonly p50: number;
  readonly p90: number;
  /** Pairs measured. */
  readonly pairs: number;
}

/** How far network coordinates are from the true round trips: over all pairs, and split by the pair's regions. */
export interface CoordinateError extends ErrorQuantiles {
  /** Pairs in one region (true round trips of 1–2 ms: a tenth of a ms off is already 5–10 %). */
  readonly insideRegion: ErrorQuantiles;
  /** Pairs in two regions. */
  readonly betweenRegions: ErrorQuantiles;
}

/** Above this many pairs a seeded sample of them is measured instead of all. */
const MAX_PAIRS = 50_000;

/**
 * The relative error of every pair's estimated round trip (the distance between the two
 * members' own coordinates, as each holds it) against the model's true one.
 */
export function coordinateError(
  names: readonly string[],
  core: (name: string) => NodeView,
  trueRttMs: (a: string, b: string) => number,
  regionOf: (name: string) => number,
  seed: number,
): CoordinateError {
  const errors: number[] = [];
  const inside: number[] = [];
  const between: number[] = [];
  const measure = (a: string, b: string): void => {
    const truth = trueRttMs(a, b);
    if (!(truth > 0)) return;
    const estimate = estimatedRttMs(core(a).coordinate, core(b).coordinate);
    const error = Math.abs(estimate - truth) / truth;
    errors.push(error);
    (regionOf(a) === regionOf(b) ? inside : between).push(error);
  };
  const allPairs = (names.length * (names.length - 1)) / 2;
  if (allPairs <= MAX_PAIRS) {
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) measure(names[i] as string, names[j] as string);
    }
  } else {
    const random = seededRandom(seed);
    for (let k = 0; k < MAX_PAIRS; k++) {
      const i = Math.floor(random.next() * names.length);
      const j = Math.floor(random.next() * names.length);
      if (i !== j) measure(names[i] as string, names[j] as string);
    }
  }
  return { ...quantiles(errors), insideRegion: quantiles(inside), betweenRegions: quantiles(between) };
}

function quantiles(errors: number[]): ErrorQuantiles {
  errors.sort((a, b) => a - b);
  return { p50: round4(quantile(errors, 0.5)), p90: round4(quantile(errors, 0.9)), pairs: errors.length };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
