import { spreadHash } from '../protocol/hash.js';
import { seededRandom } from '../protocol/random.js';

/** One-way delay of a datagram from one simulated member to another, in ms (names as the simulator knows them). */
export type LatencyFn = (from: string, to: string) => number;

export interface RegionLatencyOptions {
  readonly seed: number;
  /** How many regions; members are spread over them by a seeded hash of their name. */
  readonly regions: number;
  /** Round trip between two members of one region, in ms: [min, max]. Default [1, 2]. */
  readonly insideRttMs?: readonly [number, number];
  /** Round trip between members of two regions, in ms: [min, max]. Default [30, 80]. */
  readonly betweenRttMs?: readonly [number, number];
}

/** Most regions a model has: the routes between them are settled by an all-pairs shortest path (regions³). */
export const MAX_REGIONS = 16;

/**
 * A network of regions with a stable round trip for every pair of members: what network
 * coordinates are meant to learn.
 *
 * Each member has an access delay a (its link to its region's core), drawn once from its name
 * and the seed so that a + a' of two members spans `insideRttMs`; each pair of regions has a
 * core round trip. RTT(i, j) = a_i + a_j, plus the core round trip of their two regions when
 * they differ, drawn so that the whole lies in `betweenRttMs`. Core round trips are drawn per
 * pair, then replaced by the shortest route through other regions (Floyd–Warshall): a real
 * network routes around a slow link, and it keeps the triangle inequality, which a random draw
 * breaks. No jitter: a datagram takes RTT / 2 each way, every time.
 */
export class RegionLatency {
  readonly regions: number;
  private readonly seed: number;
  private readonly accessMinMs: number;
  private readonly accessSpanMs: number;
  private readonly coreRttMs: number[][];
  private readonly regionCache = new Map<string, { readonly region: number; readonly accessMs: number }>();

  constructor(options: RegionLatencyOptions) {
    if (!Number.isInteger(options.regions) || options.regions < 1 || options.regions > MAX_REGIONS) {
      throw new RangeError(`regions must be a whole number in 1..${MAX_REGIONS}, got ${options.regions}`);
    }
    const [insideMin, insideMax] = options.insideRttMs ?? [1, 2];
    const [betweenMin, betweenMax] = options.betweenRttMs ?? [30, 80];
    if (!(insideMin >= 0 && insideMin <= insideMax && insideMax <= betweenMin && betweenMin <= betweenMax)) {
      throw new RangeError('need 0 ≤ inside min ≤ inside max ≤ between min ≤ between max');
    }
    this.regions = options.regions;
    this.seed = options.seed >>> 0;
    this.accessMinMs = insideMin / 2;
    this.accessSpanMs = (insideMax - insideMin) / 2;
    // Two access delays add up to insideMax at most, so the core takes the rest of the range.
    this.coreRttMs = coreRoundTrips(this.regions, this.seed, betweenMin - insideMin, betweenMax - insideMax);
  }

  /** The region (0-based) a member is in. */
  regionOf(name: string): number {
    return this.place(name).region;
  }

  /** The stable round trip between two members, in ms (0 to itself). */
  rttMs(a: string, b: string): number {
    if (a === b) return 0;
    const pa = this.place(a);
    const pb = this.place(b);
    const core = pa.region === pb.region ? 0 : (this.coreRttMs[pa.region]?.[pb.region] ?? 0);
    return pa.accessMs + pb.accessMs + core;
  }

  /** The simulator's hook: half the round trip each way. */
  readonly latency: LatencyFn = (from, to) => this.rttMs(from, to) / 2;

  private place(name: string): { readonly region: number; readonly accessMs: number } {
    let placed = this.regionCache.get(name);
    if (placed === undefined) {
      const random = seededRandom((this.seed ^ spreadHash(name)) >>> 0);
      placed = { region: Math.floor(random.next() * this.regions), accessMs: this.accessMinMs + random.next() * this.accessSpanMs };
      this.regionCache.set(name, placed);
    }
    return placed;
  }
}

/** Symmetric core round trips between regions, each in [minMs, maxMs], closed under shortest routes. */
function coreRoundTrips(regions: number, seed: number, minMs: number, maxMs: number): number[][] {
  const random = seededRandom(spreadHash(`regions:${seed}`));
  const rtt = Array.from({ length: regions }, () => new Array<number>(regions).fill(0));
  for (let i = 0; i < regions; i++) {
    for (let j = i + 1; j < regions; j++) {
      const value = minMs + random.next() * (maxMs - minMs);
      (rtt[i] as number[])[j] = value;
      (rtt[j] as number[])[i] = value;
    }
  }
  for (let k = 0; k < regions; k++) {
    for (let i = 0; i < regions; i++) {
      for (let j = 0; j < regions; j++) {
        const via = (rtt[i]?.[k] ?? 0) + (rtt[k]?.[j] ?? 0);
        if (i !== j && via < (rtt[i]?.[j] ?? 0)) (rtt[i] as number[])[j] = via;
      }
    }
  }
  return rtt;
}
