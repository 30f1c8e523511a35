import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/options.js';
import type { SimulationReport } from '../../src/sim/report.js';
import { runScenario } from '../../src/sim/scenario.js';
import { scenarioOf } from './helpers.js';

describe('gossipd simulate on a small cluster', () => {
  it('waits for every member to start before it calls the cluster converged (10 members joining)', async () => {
    // With few members the first ones to start trivially agree before the rest exist: that was
    // taken for convergence, and measuring traffic then failed on a member not yet started.
    for (const seed of [5, 6, 7]) {
      const report = await runScenario({
        nodes: 10,
        durationMs: 60_000,
        seed,
        profile: 'lan',
        protocol: PROFILES.lan,
        lossRate: 0,
        latencyMs: [1, 5],
        crash: 1,
        pause: null,
        partition: null,
        faultAtMs: 20_000,
        start: 'join',
      });
      // Members start within the first second; convergence cannot come before the last one.
      expect(report.convergenceMs, `seed ${seed}`).not.toBeNull();
      expect(report.convergenceMs ?? 0, `seed ${seed}`).toBeGreaterThan(0);
      expect(report.crashes[0]?.allDetectMs, `seed ${seed}`).not.toBeNull();
      expect(report.falseFailures, `seed ${seed}`).toBe(0);
    }
  });

  it('gives the same report whether datagrams go through the codec or are handed over (--wire)', async () => {
    // Joins, loss, latency, a pause, a partition and a crash: every kind of message travels.
    const plan = scenarioOf({
      nodes: 40,
      durationMs: 90_000,
      seed: 11,
      start: 'join',
      lossRate: 0.05,
      latencyMs: [2, 20],
      crash: 1,
      pause: { count: 2, durationMs: 4000 },
      partition: { fraction: 0.3, durationMs: 15_000, oneWay: false },
      faultAtMs: 30_000,
    });
    const comparable = ({ wallMs: _wall, peakMemoryBytes: _memory, ...rest }: SimulationReport): object => rest;
    const codec = await runScenario({ ...plan, wire: 'codec' });
    const direct = await runScenario({ ...plan, wire: 'direct' });
    expect(codec.perNode.bytesSentPerSec.mean).toBeGreaterThan(0);
    expect(codec.fullStateTransfers).toBeGreaterThan(0);
    expect(comparable(direct)).toEqual(comparable(codec));
  });
});
