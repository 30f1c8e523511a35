import { PROTOCOL_LIMITS } from './limits.js';
import type { Random } from './random.js';

/**
 * A Vivaldi network coordinate (Dabek et al., "Vivaldi: A Decentralized Network Coordinate
 * System", SIGCOMM 2004), with the refinements of HashiCorp Serf's `coordinate` package: a
 * height (the access link every route from the node crosses, Vivaldi §5.4) and an adjustment
 * term (Lee et al., "On Suitability of Euclidean Embedding for Host-Based Network Coordinate
 * Systems", 2010). Every distance is in seconds, as in Serf, so our coordinates read the same
 * as `serf rtt`'s and `/v1/coordinate/nodes`' numbers.
 */
export interface Coordinate {
  /** Position in the Euclidean part of the space, seconds per dimension (VIVALDI.dimensions of them). */
  readonly vec: readonly number[];
  /** Non-Euclidean height, seconds, at least VIVALDI.heightMinS: added to every distance from this node. */
  readonly height: number;
  /** Seconds added to (or, negative, taken from) every distance: the mean prediction miss over a window. */
  readonly adjustment: number;
  /** The node's confidence in its own coordinate: 0 is certain, VIVALDI.errorMax knows nothing. */
  readonly error: number;
}

/**
 * The Vivaldi tunables, Serf's defaults (coordinate.DefaultConfig). Not user options: every
 * member must use the same dimensions, and the rest only changes how fast the space settles.
 */
export const VIVALDI = {
  /** Euclidean dimensions. Ledlie et al. (NSDI 2007) found no gain beyond about 7; Serf uses 8. */
  dimensions: 8,
  /** A new node's error, and the ceiling of every error. */
  errorMax: 1.5,
  /** How much one sample may move the error estimate (Vivaldi c_e). */
  ce: 0.25,
  /** How much one sample may move the coordinate (Vivaldi c_c). */
  cc: 0.25,
  /** Samples in the adjustment term's window; 0 turns the adjustment off. */
  adjustmentWindow: 20,
  /** Smallest height, in seconds (10 µs): the height must stay positive. */
  heightMinS: 10e-6,
  /** Round trips per peer whose median is used (Ledlie et al.'s latency filter): one slow sample is ignored. */
  latencyFilterSize: 3,
  /** Gravity's reach, in seconds: a weak pull towards the origin so the whole space does not drift (Ledlie et al.). */
  gravityRhoS: 150,
} as const;

/** Vivaldi's configuration; VIVALDI holds the defaults. */
export type VivaldiConfig = { readonly [K in keyof typeof VIVALDI]: number };

/** Below this two positions are the same point (Serf's zeroThreshold), in seconds. */
export const ZERO_THRESHOLD_S = 1e-6;

/** Where every node starts: the origin, the smallest height, no adjustment, no confidence. */
export function originCoordinate(config: VivaldiConfig = VIVALDI): Coordinate {
  return {
    vec: new Array<number>(config.dimensions).fill(0),
    height: config.heightMinS,
    adjustment: 0,
    error: config.errorMax,
  };
}

/**
 * Why a coordinate is not one any member may send or use, or null: the shape and bounds the
 * codec checks on every coordinate it decodes, and the client on its own after each update
 * (a bad sample could otherwise carry us out of bounds, and every peer would drop ours).
 */
export function coordinateProblem(c: Coordinate, dimensions: number = VIVALDI.dimensions): string | null {
  const max = PROTOCOL_LIMITS.maxCoordinateS;
  if (c.vec.length !== dimensions) return `vec has ${c.vec.length} dimensions (expected ${dimensions})`;
  for (let i = 0; i < c.vec.length; i++) {
    const x = c.vec[i];
    if (!isNumberWithin(x, -max, max)) return `vec[${i}] is ${String(x)}, not a number in -${max}..${max}`;
  }
  if (!isNumberWithin(c.height, 0, max)) return `height is ${String(c.height)}, not a number in 0..${max}`;
  if (!isNumberWithin(c.adjustment, -max, max)) return `adjustment is ${String(c.adjustment)}, not a number in -${max}..${max}`;
  const maxError = PROTOCOL_LIMITS.maxCoordinateError;
  if (!isNumberWithin(c.error, 0, maxError)) return `error is ${String(c.error)}, not a number in 0..${maxError}`;
  return null;
}

/** A finite number in [min, max] (NaN and ±Infinity fail every comparison or the finite check). */
export function isNumberWithin(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/** Euclidean distance plus both heights, without the adjustments: what the force acts on. */
export function rawDistanceS(a: Coordinate, b: Coordinate): number {
  return magnitude(difference(a.vec, b.vec)) + a.height + b.height;
}

/**
 * The estimated round trip between two coordinates, in seconds (Serf's DistanceTo): the raw
 * distance plus both adjustments, unless the adjustments would make it zero or negative.
 */
export function distanceS(a: Coordinate, b: Coordinate): number {
  const raw = rawDistanceS(a, b);
  const adjusted = raw + a.adjustment + b.adjustment;
  return adjusted > 0 ? adjusted : raw;
}

/**
 * `c` moved by `force` seconds along the line from `other` to `c` (away from `other` when
 * positive, towards it when negative). The height takes its share of the force in proportion
 * to the heights' part of the distance (Vivaldi §5.4).
 */
export function applyForce(c: Coordinate, force: number, other: Coordinate, random: Random, config: VivaldiConfig = VIVALDI): Coordinate {
  const [unit, mag] = unitVectorAt(c.vec, other.vec, random);
  const vec = c.vec.map((x, i) => x + (unit[i] ?? 0) * force);
  let height = c.height;
  if (mag > ZERO_THRESHOLD_S) {
    height = Math.max(((c.height + other.height) * force) / mag + c.height, config.heightMinS);
  }
  return { vec, height, adjustment: c.adjustment, error: c.error };
}

/**
 * The unit vector pointing from `to` at `from`, and the distance between them. Two nodes on
 * the same point (every node at start) get a random direction, so they can push apart.
 */
function unitVectorAt(from: readonly number[], to: readonly number[], random: Random): [number[], number] {
  const diff = difference(from, to);
  const mag = magnitude(diff);
  if (mag > ZERO_THRESHOLD_S) return [diff.map((x) => x / mag), mag];
  const direction = diff.map(() => random.next() - 0.5);
  const randomMag = magnitude(direction);
  if (randomMag > ZERO_THRESHOLD_S) return [direction.map((x) => x / randomMag), 0];
  // Every draw near 0.5: vanishingly rare, but a direction is still owed.
  return [diff.map((_, i) => (i === 0 ? 1 : 0)), 0];
}

function difference(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x - (b[i] ?? 0));
}

function magnitude(v: readonly number[]): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}
