import { describe, expect, it } from 'vitest';
import { applyForce, distanceS, originCoordinate, rawDistanceS, VIVALDI, type Coordinate } from '../../src/protocol/coordinate.js';
import { PeerCoordinates } from '../../src/protocol/peer-coordinates.js';
import { seededRandom } from '../../src/protocol/random.js';
import { latencyFilter, VivaldiClient } from '../../src/protocol/vivaldi.js';
import { nodeName } from '../../src/protocol/types.js';

const at = (vec: number[], height: number = VIVALDI.heightMinS, adjustment = 0, error: number = VIVALDI.errorMax): Coordinate => ({
  vec: [...vec, ...new Array<number>(VIVALDI.dimensions - vec.length).fill(0)],
  height,
  adjustment,
  error,
});

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * Runs Vivaldi on `n` nodes whose true round trips are `truth(i, j)`: each round, every node
 * measures one random other node (as probing does). Returns the median relative error.
 */
function simulate(n: number, rounds: number, truth: (i: number, j: number) => number, seed = 1): { error: number; clients: VivaldiClient[] } {
  const random = seededRandom(seed);
  const clients = Array.from({ length: n }, (_, i) => new VivaldiClient(seededRandom(1000 + i)));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) {
      let j = Math.floor(random.next() * (n - 1));
      if (j >= i) j++;
      (clients[i] as VivaldiClient).update((clients[j] as VivaldiClient).coordinate, truth(i, j));
    }
  }
  const errors: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const estimate = distanceS((clients[i] as VivaldiClient).coordinate, (clients[j] as VivaldiClient).coordinate);
      errors.push(Math.abs(estimate - truth(i, j)) / truth(i, j));
    }
  }
  return { error: median(errors), clients };
}

describe('Vivaldi coordinates', () => {
  it('starts at the origin with the largest error, the smallest height, no adjustment', () => {
    expect(originCoordinate()).toEqual({ vec: new Array(8).fill(0), height: 10e-6, adjustment: 0, error: 1.5 });
  });

  it('the distance is the Euclidean distance plus both heights plus both adjustments', () => {
    const a = at([0.003, 0], 0.001, 0.0005);
    const b = at([0, 0.004], 0.002, 0.0005);
    expect(rawDistanceS(a, b)).toBeCloseTo(0.005 + 0.003, 12);
    expect(distanceS(a, b)).toBeCloseTo(0.005 + 0.003 + 0.001, 12);
    expect(distanceS(b, a)).toBeCloseTo(distanceS(a, b), 12);
  });

  it('ignores adjustments that would make the distance zero or negative', () => {
    const a = at([0.001], 0.0001, -0.01);
    const b = at([0], 0.0001, -0.01);
    expect(distanceS(a, b)).toBeCloseTo(rawDistanceS(a, b), 12);
  });

  it('a positive force pushes away from the other node and raises the height; heights never drop below the minimum', () => {
    const random = seededRandom(1);
    const me = at([0.01], 0.001);
    const other = at([0], 0.001);
    const pushed = applyForce(me, 0.002, other, random);
    expect(pushed.vec[0]).toBeCloseTo(0.012, 12);
    // The heights' share of the 10 ms distance is 2 ms: a fifth of the force goes to the height.
    expect(pushed.height).toBeCloseTo(0.001 + (0.002 * 0.002) / 0.01, 12);
    const pulled = applyForce(me, -0.05, other, random);
    expect(pulled.height).toBe(VIVALDI.heightMinS);
  });

  it('two nodes on one point push apart in a random direction', () => {
    const pushed = applyForce(at([]), 0.005, at([]), seededRandom(7));
    const length = Math.hypot(...pushed.vec);
    expect(length).toBeCloseTo(0.005, 9);
  });

  it('converges on a known synthetic space: points in a plane', () => {
    const points = Array.from({ length: 30 }, (_, i) => [((i * 37) % 17) * 0.003, ((i * 11) % 13) * 0.004]);
    const truth = (i: number, j: number): number => {
      const [x1, y1] = points[i] as number[];
      const [x2, y2] = points[j] as number[];
      return Math.max(Math.hypot((x1 ?? 0) - (x2 ?? 0), (y1 ?? 0) - (y2 ?? 0)), 0.0005);
    };
    expect(simulate(30, 10, truth).error).toBeGreaterThan(0.1);
    expect(simulate(30, 400, truth).error).toBeLessThan(0.05);
  });

  it('learns heights: a star of access links is a space of heights alone', () => {
    // Every route crosses both access links, as in Vivaldi §5.4: rtt = a_i + a_j.
    const access = Array.from({ length: 20 }, (_, i) => 0.001 + (i % 5) * 0.004);
    const truth = (i: number, j: number): number => (access[i] ?? 0) + (access[j] ?? 0);
    expect(simulate(20, 5, truth).error).toBeGreaterThan(0.2);
    const { error, clients } = simulate(20, 500, truth);
    expect(error).toBeLessThan(0.1);
    const heights = clients.map((c) => c.coordinate.height);
    // Nodes with the slower link carry the larger height.
    expect(median(heights.filter((_, i) => i % 5 === 4))).toBeGreaterThan(median(heights.filter((_, i) => i % 5 === 0)));
  });

  it('the adjustment is half the mean miss of the raw distance over the window', () => {
    const client = new VivaldiClient(seededRandom(3));
    const other = at([0.05], VIVALDI.heightMinS, 0, 0);
    for (let k = 0; k < 200; k++) client.update(other, 0.02);
    const c = client.coordinate;
    // The last sample's miss is rtt − raw distance after the move; the window holds 20 such.
    expect(Math.abs(c.adjustment)).toBeLessThan(0.02);
    expect(distanceS(c, other)).toBeCloseTo(0.02, 3);
    // A window of 0 turns the adjustment off.
    const plain = new VivaldiClient(seededRandom(3), { ...VIVALDI, adjustmentWindow: 0 });
    for (let k = 0; k < 50; k++) plain.update(other, 0.02);
    expect(plain.coordinate.adjustment).toBe(0);
  });

  it('the adjustment absorbs a delay the space cannot express', () => {
    // Every node's round trips are 3 ms longer than positions on a line allow: a constant
    // offset that the adjustments take up (3 ms = 1.5 ms from each end).
    const truth = (i: number, j: number): number => Math.abs(i - j) * 0.004 + 0.003;
    const { clients } = simulate(10, 400, truth);
    const adjustments = clients.map((c) => c.coordinate.adjustment);
    expect(median(adjustments)).toBeGreaterThan(0);
  });

  it('refuses round trips outside 0..10 s and NaN, and counts them', () => {
    const client = new VivaldiClient(seededRandom(1));
    const other = at([0.01], 0.001, 0, 0.5);
    expect(client.update(other, -0.001)).toBe(false);
    expect(client.update(other, 10.5)).toBe(false);
    expect(client.update(other, NaN)).toBe(false);
    expect(client.stats).toEqual({ updates: 0, rejectedSamples: 3, resets: 0 });
    expect(client.coordinate).toEqual(originCoordinate());
    expect(client.update(other, 0.01)).toBe(true);
    expect(client.stats.updates).toBe(1);
  });

  it('starts over at the origin when an update leaves the bounds (a NaN from anywhere would spread for ever)', () => {
    const client = new VivaldiClient(seededRandom(1));
    client.update(at([0.01], 0.001, 0, 0.5), 0.02);
    expect(client.coordinate).not.toEqual(originCoordinate());
    // The codec never lets such a coordinate in; the client does not rely on it.
    client.update(at([NaN], 0.001, 0, 0.5), 0.02);
    expect(client.stats.resets).toBe(1);
    expect(client.coordinate).toEqual(originCoordinate());
  });

  it('the latency filter is the median of the last three samples', () => {
    let samples: number[] = [];
    const feed = (rtt: number): number => {
      const result = latencyFilter(samples, rtt, 3);
      samples = result.samples;
      return result.median;
    };
    expect(feed(10)).toBe(10);
    expect(feed(12)).toBe(12); // of [10, 12] the upper middle, as Serf
    expect(feed(500)).toBe(12); // one slow sample is ignored
    expect(feed(11)).toBe(12); // [12, 500, 11]
    expect(feed(13)).toBe(13); // [500, 11, 13]
    expect(samples).toEqual([500, 11, 13]);
  });

  it('peer coordinates keep the newest per peer, filter per peer, and forget', () => {
    const peers = new PeerCoordinates();
    const a = nodeName('a');
    peers.heard(a, at([0.1]));
    peers.heard(a, at([0.2]));
    expect(peers.get(a)?.vec[0]).toBe(0.2);
    expect(peers.sample(a, 5)).toBe(5);
    expect(peers.sample(a, 50)).toBe(50);
    expect(peers.sample(a, 6)).toBe(6);
    expect(peers.sample(nodeName('b'), 100)).toBe(100);
    expect([...peers.entries()].map(([name]) => name)).toEqual([a]);
    peers.forget(a);
    expect(peers.get(a)).toBeUndefined();
    expect(peers.sample(a, 7)).toBe(7);
  });
});
