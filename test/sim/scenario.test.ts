import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/options.js';
import { runScenario } from '../../src/sim/scenario.js';

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
});
