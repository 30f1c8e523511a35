import { describe, expect, it } from 'vitest';
import { estimateRttSeconds, fitToBox, parseCoordinates, projectCoordinates, type Point } from '../../src/http/ui/projection.js';

// The map of /ui: 8-D Vivaldi vectors projected onto their two principal axes, then fitted to
// the canvas with one scale for both axes. Synthetic coordinates with known geometry.

/** A seeded generator (mulberry32), so the synthetic clouds are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Two orthonormal 8-D directions that are not coordinate axes. */
const U = [1, 1, 1, 1, 1, 1, 1, 1].map((x) => x / Math.sqrt(8));
const V = [1, -1, 1, -1, 1, -1, 1, -1].map((x) => x / Math.sqrt(8));

function onPlane(a: number, b: number, offset = 0.01): number[] {
  return U.map((u, i) => offset * (i + 1) + a * u + b * (V[i] ?? 0));
}

function distance(p: { x: number; y: number }, q: { x: number; y: number }): number {
  return Math.hypot(p.x - q.x, p.y - q.y);
}

function distance8(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((sum, x, i) => sum + (x - (b[i] ?? 0)) ** 2, 0));
}

describe('projectCoordinates', () => {
  it('keeps every pairwise distance of points that lie on a plane in 8-D', () => {
    const next = random(7);
    const named = Array.from({ length: 50 }, (_, i) => ({ name: `m${i}`, vec: onPlane(next() * 0.08 - 0.04, next() * 0.03 - 0.015) }));
    const points = projectCoordinates(named);
    expect(points.map((p) => p.name)).toEqual(named.map((n) => n.name));
    for (let i = 0; i < named.length; i++) {
      for (let j = i + 1; j < named.length; j++) {
        expect(distance(points[i]!, points[j]!)).toBeCloseTo(distance8(named[i]!.vec, named[j]!.vec), 9);
      }
    }
  });

  it('puts the larger spread on the x axis', () => {
    const named = [
      { name: 'a', vec: onPlane(-0.05, 0) },
      { name: 'b', vec: onPlane(0.05, 0) },
      { name: 'c', vec: onPlane(0, 0.01) },
      { name: 'd', vec: onPlane(0, -0.01) },
    ];
    const [a, b, c, d] = projectCoordinates(named);
    expect(Math.abs(a!.x - b!.x)).toBeCloseTo(0.1, 9);
    expect(Math.abs(a!.y - b!.y)).toBeCloseTo(0, 9);
    expect(Math.abs(c!.y - d!.y)).toBeCloseTo(0.02, 9);
  });

  it('keeps two regions apart: every cross-region distance exceeds every within-region one', () => {
    const next = random(11);
    const noise = (): number => (next() - 0.5) * 0.004;
    const region = (centre: number[], prefix: string): { name: string; vec: number[] }[] =>
      Array.from({ length: 20 }, (_, i) => ({ name: `${prefix}${i}`, vec: centre.map((c) => c + noise()) }));
    const east = region([0.04, 0, 0, 0, 0, 0, 0.01, 0], 'east');
    const west = region([-0.04, 0.01, 0, 0, 0, 0, 0, 0], 'west');
    const points = projectCoordinates([...east, ...west]);
    const isEast = (p: Point): boolean => p.name.startsWith('east');
    let within = 0;
    let across = Infinity;
    for (const p of points) {
      for (const q of points) {
        if (p === q) continue;
        if (isEast(p) === isEast(q)) within = Math.max(within, distance(p, q));
        else across = Math.min(across, distance(p, q));
      }
    }
    expect(across).toBeGreaterThan(within);
  });

  it('is deterministic and does not flip between two calls with reordered input', () => {
    const next = random(3);
    const named = Array.from({ length: 30 }, (_, i) => ({ name: `m${i}`, vec: Array.from({ length: 8 }, () => next() - 0.5) }));
    const once = projectCoordinates(named);
    const reversed = projectCoordinates([...named].reverse()).reverse();
    once.forEach((p, i) => {
      expect(reversed[i]!.x).toBeCloseTo(p.x, 9);
      expect(reversed[i]!.y).toBeCloseTo(p.y, 9);
    });
  });

  it('gives finite zeros for degenerate sets: none, one point, all equal, a line', () => {
    expect(projectCoordinates([])).toEqual([]);
    expect(projectCoordinates([{ name: 'a', vec: [1, 2, 3, 4, 5, 6, 7, 8] }])).toEqual([{ name: 'a', x: 0, y: 0 }]);
    const same = projectCoordinates(Array.from({ length: 5 }, (_, i) => ({ name: `s${i}`, vec: [0.1, 0, 0, 0, 0, 0, 0, 0.2] })));
    expect(same.every((p) => p.x === 0 && p.y === 0)).toBe(true);
    const line = projectCoordinates([0, 1, 2].map((k) => ({ name: `l${k}`, vec: U.map((u) => u * k) })));
    expect(line.map((p) => Math.round(p.x * 1e9) / 1e9)).toEqual([-1, 0, 1]);
    expect(line.every((p) => p.y === 0)).toBe(true);
  });
});

describe('fitToBox', () => {
  it('uses one scale for both axes and keeps everything inside the padding', () => {
    const points = [
      { name: 'a', x: -2, y: 0 },
      { name: 'b', x: 2, y: 0 },
      { name: 'c', x: 0, y: 1 },
    ];
    const fitted = fitToBox(points, 400, 300, 10);
    // 4 wide into 380 px: 95 px per unit on both axes, centred.
    expect(fitted).toEqual([
      { name: 'a', x: 10, y: 150 + 47.5 },
      { name: 'b', x: 390, y: 150 + 47.5 },
      { name: 'c', x: 200, y: 150 - 47.5 },
    ]);
  });

  it('centres a single point or identical points', () => {
    expect(fitToBox([{ name: 'a', x: 5, y: 5 }], 100, 50, 4)).toEqual([{ name: 'a', x: 50, y: 25 }]);
    expect(fitToBox([], 100, 50, 4)).toEqual([]);
  });
});

describe('estimateRttSeconds', () => {
  it('adds the heights to the vector distance, and the adjustments unless that is not positive', () => {
    const a = { vec: [0.003, 0, 0, 0, 0, 0, 0, 0], height: 0.001, adjustment: 0.0005, error: 0.2 };
    const b = { vec: [0, 0.004, 0, 0, 0, 0, 0, 0], height: 0.002, adjustment: -0.0002, error: 0.2 };
    expect(estimateRttSeconds(a, b)).toBeCloseTo(0.005 + 0.003 + 0.0003, 12);
    expect(estimateRttSeconds(a, b)).toBe(estimateRttSeconds(b, a));
    const negative = { ...b, adjustment: -1 };
    expect(estimateRttSeconds(a, negative)).toBeCloseTo(0.008, 12);
  });
});

describe('parseCoordinates', () => {
  it('keeps well-formed entries and leaves out the rest', () => {
    const good = { vec: [0, 0, 0, 0, 0, 0, 0, 0.001], height: 0.0001, adjustment: 0, error: 1.5 };
    const parsed = parseCoordinates([
      { name: 'ok', coordinate: good },
      { name: 'nan', coordinate: { ...good, height: Number.NaN } },
      { name: 'short', coordinate: { ...good, vec: [0, 0] } },
      { name: 'text', coordinate: { ...good, vec: ['0', 0, 0, 0, 0, 0, 0, 0] } },
      { coordinate: good },
      null,
      'x',
    ]);
    expect([...parsed.keys()]).toEqual(['ok']);
    expect(parsed.get('ok')).toEqual(good);
    expect(parseCoordinates({ error: 'no' }).size).toBe(0);
  });
});
