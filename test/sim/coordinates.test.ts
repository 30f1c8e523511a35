import { describe, expect, it } from 'vitest';
import { COORDINATE_CADENCE } from '../../src/protocol/coordinate-cadence.js';
import { estimatedRttMs } from '../../src/protocol/coordinates.js';
import { PROFILES } from '../../src/protocol/options.js';
import { nodeName } from '../../src/protocol/types.js';
import { RegionLatency } from '../../src/sim/latency.js';
import { runScenario } from '../../src/sim/scenario.js';
import { cluster, scenarioOf } from './helpers.js';

describe('network coordinates in the simulator', () => {
  it('the region model: fixed round trips, 1–2 ms inside a region, 30–80 ms between, a metric', () => {
    const model = new RegionLatency({ seed: 9, regions: 3 });
    const names = Array.from({ length: 60 }, (_, i) => `n${i}`);
    const regions = new Set(names.map((n) => model.regionOf(n)));
    expect(regions.size).toBe(3);
    for (const a of names) {
      for (const b of names) {
        const rtt = model.rttMs(a, b);
        expect(rtt).toBe(model.rttMs(b, a));
        expect(model.latency(a, b)).toBe(rtt / 2);
        if (a === b) expect(rtt).toBe(0);
        else if (model.regionOf(a) === model.regionOf(b)) expect(rtt >= 1 && rtt <= 2).toBe(true);
        else expect(rtt >= 30 && rtt <= 80).toBe(true);
      }
    }
    const [a, b, c] = names;
    expect(model.rttMs(a as string, c as string)).toBeLessThanOrEqual(model.rttMs(a as string, b as string) + model.rttMs(b as string, c as string));
    expect(() => new RegionLatency({ seed: 1, regions: 0 })).toThrow(RangeError);
  });

  // The suite's size of the bench (bench/results/2026-12-02/coordinates/summary.md): N = 50,
  // 3 regions, 5 minutes (the goal is a median under 10 %). Measured there: p50
  // 1.0–1.9 %, between regions ≤ 0.9 %. The bounds leave a factor of 2.5 or more.
  it.each([
    ['tolerance', 11],
    ['tolerance', 12],
    ['lan', 11],
  ] as const)('converges at N = 50 with 3 regions in 5 minutes (%s, seed %d)', async (profile, seed) => {
    const report = await runScenario(
      scenarioOf({ nodes: 50, durationMs: 300_000, seed, profile, protocol: PROFILES[profile], start: 'join', regions: 3, faultAtMs: 300_000 }),
    );
    const error = report.coordinateError;
    expect(error?.pairs).toBe((50 * 49) / 2);
    expect(error?.p50, JSON.stringify(error)).toBeLessThan(0.05);
    expect(error?.betweenRegions.p50, JSON.stringify(error)).toBeLessThan(0.05);
    expect(report.decodeFailures).toBe(0);
    expect(report.falseFailures).toBe(0);
  });

  // At one sample in 12 periods the 1–2 ms round trips inside a region are still off by about
  // their own size at 5 minutes (summary.md), but far below any between regions: ?near ranks
  // a member's own region first.
  it('ranks every member of its own region nearer than any other region, in 5 minutes (N = 50, 3 regions)', () => {
    const model = new RegionLatency({ seed: 13, regions: 3 });
    const sim = cluster(50, { seed: 13, protocol: PROFILES.tolerance, latency: model.latency });
    sim.runFor(300_000);
    const names = sim.memberNames();
    let ranked = 0;
    for (const name of names) {
      const own = sim.core(name).coordinate;
      const estimate = (other: string): number => estimatedRttMs(own, sim.core(other).coordinate);
      const peers = names.filter((n) => n !== name);
      const inside = peers.filter((n) => model.regionOf(n) === model.regionOf(name)).map(estimate);
      const between = peers.filter((n) => model.regionOf(n) !== model.regionOf(name)).map(estimate);
      if (Math.max(...inside) < Math.min(...between)) ranked++;
    }
    expect(ranked, `${ranked} of ${names.length}`).toBeGreaterThanOrEqual(names.length - 1);
  });

  it('on the ring schedule only the random coordinate probes are samples, at the cadence; on round robin the probes themselves', () => {
    for (const [protocol, ring] of [[PROFILES.tolerance, true], [PROFILES.lan, false]] as const) {
      const sim = cluster(8, { seed: 4, protocol, latency: new RegionLatency({ seed: 4, regions: 2 }).latency });
      sim.runFor(60_000);
      for (const name of sim.memberNames()) {
        const core = sim.core(name);
        // 60 periods: one sample in warmupEvery while the error is high, one in settledEvery after.
        const most = 60 / COORDINATE_CADENCE.warmupEvery + 1;
        const least = 60 / COORDINATE_CADENCE.settledEvery - 1;
        if (ring) {
          // Every coordinate probe acked in time is a sample; the successor's acks are not.
          expect(core.stats.coordinateProbes).toBeGreaterThanOrEqual(least);
          expect(core.stats.coordinateProbes).toBeLessThanOrEqual(most);
          expect(core.coordinateStats.updates).toBeLessThanOrEqual(core.stats.coordinateProbes);
          expect(core.coordinateStats.updates).toBeGreaterThan(core.stats.coordinateProbes * 0.9);
        } else {
          expect(core.stats.coordinateProbes).toBe(0);
          expect(core.coordinateStats.updates).toBeGreaterThanOrEqual(least);
          expect(core.coordinateStats.updates).toBeLessThanOrEqual(most);
        }
      }
    }
  });

  it('with coordinates off no member samples, sends a coordinate or holds one', () => {
    for (const protocol of [PROFILES.tolerance, PROFILES.lan]) {
      const sim = cluster(8, { seed: 5, protocol: { ...protocol, coordinates: false }, latency: new RegionLatency({ seed: 5, regions: 2 }).latency });
      sim.runFor(30_000);
      for (const name of sim.memberNames()) {
        const core = sim.core(name);
        expect(core.stats.coordinateProbes).toBe(0);
        expect(core.coordinateStats.updates).toBe(0);
        expect(core.coordinates()).toHaveLength(1);
      }
    }
  });

  it('without regions the report carries no coordinate error', async () => {
    const report = await runScenario(scenarioOf({ nodes: 10, durationMs: 10_000 }));
    expect(report.coordinateError).toBeUndefined();
    expect('coordinateErrorOverTime' in report).toBe(false);
  });

  it('every member holds the coordinates of the others, moves its own, and forgets a reaped member', () => {
    const model = new RegionLatency({ seed: 3, regions: 2 });
    const protocol = { ...PROFILES.tolerance, reapTimeoutMs: 30_000 };
    const sim = cluster(8, { seed: 3, protocol, latency: model.latency });
    // A member learns a coordinate only from its own samples (one in 12 periods once settled,
    // to random members): 5 minutes reach all 7 peers here.
    sim.runFor(300_000);
    for (const name of sim.memberNames()) {
      const core = sim.core(name);
      expect(core.coordinates()[0]?.name).toBe(name);
      expect(core.coordinates()).toHaveLength(8);
      expect(core.coordinateStats.updates).toBeGreaterThan(20);
      expect(core.coordinate.error).toBeLessThan(1.5);
    }
    // What m0 estimates from the coordinates it holds is close to the truth for a far member.
    const far = sim.memberNames().find((n) => model.regionOf(n) !== model.regionOf('m0')) as string;
    const estimate = estimatedRttMs(sim.core('m0').coordinate, sim.core('m0').coordinateOf(nodeName(far)) ?? sim.core('m0').coordinate);
    expect(Math.abs(estimate - model.rttMs('m0', far)) / model.rttMs('m0', far)).toBeLessThan(0.1);
    sim.crash('m7');
    sim.runFor(120_000);
    expect(sim.statusOf('m0', 'm7')).toBeUndefined();
    expect(sim.core('m0').coordinateOf(nodeName('m7'))).toBeUndefined();
    expect(sim.core('m0').coordinates()).toHaveLength(7);
  });
});
