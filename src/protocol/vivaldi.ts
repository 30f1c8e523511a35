import {
  applyForce,
  coordinateProblem,
  distanceS,
  originCoordinate,
  rawDistanceS,
  VIVALDI,
  ZERO_THRESHOLD_S,
  type Coordinate,
  type VivaldiConfig,
} from './coordinate.js';
import { PROTOCOL_LIMITS } from './limits.js';
import type { Random } from './random.js';

/** Counters of the coordinate client, for metrics and tests. */
export interface VivaldiStats {
  /** Round trips that moved our coordinate. */
  updates: number;
  /** Round trips refused: negative, above PROTOCOL_LIMITS.maxRttSampleMs, or not finite. */
  rejectedSamples: number;
  /** Times an update produced a coordinate out of bounds (or not finite) and the client started over at the origin. */
  resets: number;
}

/**
 * This node's side of Vivaldi, as Serf's coordinate.Client: each round trip to a peer whose
 * coordinate we know moves our coordinate along the spring between us (Vivaldi §4, the
 * adaptive timestep of §4.3), then updates the adjustment term and applies gravity.
 * Pure: the randomness (a direction when two nodes sit on one point) is injected.
 */
export class VivaldiClient {
  private coord: Coordinate;
  private readonly origin: Coordinate;
  private readonly adjustmentSamples: number[];
  private adjustmentIndex = 0;
  readonly stats: VivaldiStats = { updates: 0, rejectedSamples: 0, resets: 0 };

  constructor(
    private readonly random: Random,
    private readonly config: VivaldiConfig = VIVALDI,
  ) {
    this.origin = originCoordinate(config);
    this.coord = this.origin;
    this.adjustmentSamples = new Array<number>(config.adjustmentWindow).fill(0);
  }

  get coordinate(): Coordinate {
    return this.coord;
  }

  /**
   * One measured round trip to a peer at `other`, already passed through the peer's latency
   * filter (filteredRttS). Returns false (and counts it) for an RTT outside 0..maxRttSampleMs.
   */
  update(other: Coordinate, filteredRttS: number): boolean {
    if (!(filteredRttS >= 0 && filteredRttS <= PROTOCOL_LIMITS.maxRttSampleMs / 1000)) {
      this.stats.rejectedSamples++;
      return false;
    }
    this.updateVivaldi(other, filteredRttS);
    this.updateAdjustment(other, filteredRttS);
    this.updateGravity();
    if (coordinateProblem(this.coord, this.config.dimensions) !== null) {
      this.stats.resets++;
      this.coord = this.origin;
      this.adjustmentSamples.fill(0);
    }
    this.stats.updates++;
    return true;
  }

  /** Our estimate of the round trip to a node at `other`, in seconds. */
  distanceToS(other: Coordinate): number {
    return distanceS(this.coord, other);
  }

  /** Vivaldi's adaptive step: move further the surer we are relative to the peer (weight w = e_i / (e_i + e_j)). */
  private updateVivaldi(other: Coordinate, rttS: number): void {
    const rtt = Math.max(rttS, ZERO_THRESHOLD_S);
    const dist = distanceS(this.coord, other);
    const wrongness = Math.abs(dist - rtt) / rtt;
    const totalError = Math.max(this.coord.error + other.error, ZERO_THRESHOLD_S);
    const weight = this.coord.error / totalError;
    const ce = this.config.ce * weight;
    const error = Math.min(ce * wrongness + this.coord.error * (1 - ce), this.config.errorMax);
    const force = this.config.cc * weight * (rtt - dist);
    this.coord = { ...applyForce(this.coord, force, other, this.random, this.config), error };
  }

  /**
   * The adjustment is half the mean of the last window's misses of the raw distance (Lee et
   * al. §V): what a Euclidean space with heights cannot express, such as a node whose every
   * route is slower than its position says, is added back to the estimate.
   */
  private updateAdjustment(other: Coordinate, rttS: number): void {
    const window = this.config.adjustmentWindow;
    if (window === 0) return;
    this.adjustmentSamples[this.adjustmentIndex] = rttS - rawDistanceS(this.coord, other);
    this.adjustmentIndex = (this.adjustmentIndex + 1) % window;
    let sum = 0;
    for (const sample of this.adjustmentSamples) sum += sample;
    this.coord = { ...this.coord, adjustment: sum / (2 * window) };
  }

  /** A pull towards the origin growing with the square of the distance: keeps the space from drifting away as a whole. */
  private updateGravity(): void {
    const dist = distanceS(this.origin, this.coord);
    const force = -1 * (dist / this.config.gravityRhoS) ** 2;
    this.coord = applyForce(this.coord, force, this.origin, this.random, this.config);
  }
}

/**
 * Ledlie et al.'s latency filter (Serf's latencyFilter): keep the last `size` round trips to
 * a peer and use their median, so one sample delayed by a busy host does not fling the
 * coordinate. Returns the kept samples (the oldest dropped) and the median, in the unit given.
 */
export function latencyFilter(samples: readonly number[], rtt: number, size: number = VIVALDI.latencyFilterSize): { samples: number[]; median: number } {
  const kept = [...samples, rtt].slice(-Math.max(1, size));
  const sorted = [...kept].sort((a, b) => a - b);
  return { samples: kept, median: sorted[Math.floor(sorted.length / 2)] ?? rtt };
}
