import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/options.js';
import { runScenario } from '../../src/sim/scenario.js';
import { scenarioOf } from './helpers.js';

// Issue 12: join storms that settle, and a mass restart that leaves nobody failed or stuck.
// The sizes are what the suite affords; the 1,000-member runs are in
// bench/results/2026-12-02/anti-entropy/.

describe('a join storm', () => {
  it('300 members started within one second converge within 15 s with at most 2 whole-table transfers per joiner', async () => {
    for (const seed of [1, 2]) {
      const report = await runScenario(scenarioOf({ nodes: 300, durationMs: 25_000, faultAtMs: 25_000, seed, start: 'join', profile: 'tolerance', protocol: PROFILES.tolerance }));
      expect(report.convergenceMs, `seed ${seed}`).not.toBeNull();
      expect(report.convergenceMs ?? Infinity, `seed ${seed}`).toBeLessThanOrEqual(15_000);
      expect(report.fullStateTransfers / report.nodes, `seed ${seed}`).toBeLessThanOrEqual(2);
      expect(report.falseSuspicions, `seed ${seed}`).toBe(0);
    }
  });
});

describe('a mass restart (--restart)', () => {
  it('30 % of 200 members restarted at once: nobody failed, all alive everywhere within 15 s, new incarnations everywhere', async () => {
    for (const seed of [1, 2]) {
      const report = await runScenario(
        scenarioOf({ nodes: 200, durationMs: 45_000, faultAtMs: 15_000, seed, restart: 0.3, profile: 'tolerance', protocol: PROFILES.tolerance }),
      );
      const mass = report.massRestart;
      expect(mass?.members, `seed ${seed}`).toBe(60);
      expect(mass?.failedPairs, `seed ${seed}`).toBe(0);
      expect(mass?.allAliveMs ?? Infinity, `seed ${seed}`).toBeLessThanOrEqual(15_000);
      expect(report.restartsRecovered, `seed ${seed}`).toBe(60);
      expect(report.restartRecoveryMs.max ?? Infinity, `seed ${seed}`).toBeLessThanOrEqual(15_000);
      expect(report.falseFailures, `seed ${seed}`).toBe(0);
      expect(report.stuck, `seed ${seed}`).toBe(0);
    }
  });

  it('is off by default: no massRestart in the report', async () => {
    const report = await runScenario(scenarioOf({ nodes: 10, durationMs: 5_000 }));
    expect(report.massRestart).toBeNull();
  });
});
