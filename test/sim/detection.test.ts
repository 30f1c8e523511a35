import { describe, expect, it } from 'vitest';
import { PROFILES, toleranceProfile, type ProtocolOptions } from '../../src/protocol/options.js';
import { runScenario, type ScenarioOptions } from '../../src/sim/scenario.js';
import { scenarioOf } from './helpers.js';

// Detection in seconds at any size (issue 11): each part of the tolerance design, with the
// property it buys, against memberlist's timing (lan) where that property fails.
const TOLERANCE_MS = 3000;
const tolerance = toleranceProfile(TOLERANCE_MS);
const base: ScenarioOptions = scenarioOf({ durationMs: 90_000, profile: 'tolerance', protocol: tolerance, crash: 3, faultAtMs: 30_000 });

async function detection(protocol: ProtocolOptions, nodes: number, seed: number, lossRate = 0) {
  return runScenario({ ...base, protocol, nodes, seed, lossRate, profile: protocol.pauseToleranceMs === null ? 'lan' : 'tolerance' });
}

describe('detection bounded by the pause tolerance', { timeout: 300_000 }, () => {
  it('ring schedule: every crash is suspected within two probe periods (round robin: up to ~5)', async () => {
    const ring = await detection(tolerance, 200, 31);
    const roundRobin = await detection({ ...tolerance, probeSchedule: 'round-robin' }, 200, 31);
    const slowestFirstSuspicion = (report: Awaited<ReturnType<typeof detection>>): number =>
      Math.max(...report.crashes.map((crash) => crash.firstDetectMs ?? Infinity)) - (TOLERANCE_MS + 2 * tolerance.probeTimeoutMs);
    // First failure = evidence start + T + 2 × probeTimeout, so the rest is the wait for a first probe.
    expect(slowestFirstSuspicion(ring)).toBeLessThanOrEqual(2 * tolerance.probeIntervalMs);
    expect(slowestFirstSuspicion(roundRobin)).toBeGreaterThan(2 * tolerance.probeIntervalMs);
  });

  it.each([10, 100, 1000])('every live member marks a crash failed within T + 3 s at %i members, 0 and 10 %% loss', async (nodes) => {
    for (const lossRate of [0, 0.1]) {
      const report = await detection(tolerance, nodes, 40 + nodes, lossRate);
      const label = `${nodes} members, loss ${lossRate}, seed ${40 + nodes}`;
      expect(report.falseFailures, label).toBe(0);
      for (const crash of report.crashes) {
        expect(crash.allDetectMs, `${label}, ${crash.name}`).not.toBeNull();
        expect(crash.allDetectMs!, `${label}, ${crash.name}`).toBeLessThanOrEqual(TOLERANCE_MS + 3000);
        // Never before the tolerance: a silence shorter than T is not a failure.
        expect(crash.firstDetectMs!, `${label}, ${crash.name}`).toBeGreaterThanOrEqual(TOLERANCE_MS);
      }
    }
  });

  it("memberlist's timing cannot: at 1,000 members its suspicion alone is 12 s", async () => {
    const report = await detection(PROFILES.lan, 1000, 1040);
    expect(Math.min(...report.crashes.map((crash) => crash.allDetectMs ?? Infinity))).toBeGreaterThan(TOLERANCE_MS + 3000);
  });

  it('members frozen for 0.9 × T, over and over, under 10 % loss, are never declared failed', async () => {
    const stall = { fraction: 0.1, durationMs: 0.9 * TOLERANCE_MS, everyMs: 20_000 };
    const report = await runScenario({ ...base, nodes: 200, seed: 51, crash: 0, lossRate: 0.1, durationMs: 180_000, stall });
    expect(report.stalls).toBeGreaterThan(150);
    expect(report.falseFailures, 'seed 51').toBe(0);
    // The same silences with a timeout that ignores them (memberlist's timing, suspicion at its
    // shortest) are failures: the property is not trivially true.
    const naive = { ...PROFILES.lan, suspicionMult: 1, suspicionMaxTimeoutMult: 1 };
    const eager = await runScenario({ ...base, protocol: naive, profile: 'lan', nodes: 200, seed: 51, crash: 0, lossRate: 0.1, durationMs: 180_000, stall });
    expect(eager.falseFailures, 'seed 51, naive timeout').toBeGreaterThan(0);
  });

  it('a member whose own process stalled past a suspicion asks the suspect before failing it (lan, 7 s stalls)', async () => {
    // 7 s is below lan's 9.2 s minimum suspicion at 200 members, so none of these stalls is a
    // failure; but an observer frozen while its own suspicion timer ran out used to judge on
    // waking, before reading the refutation queued for it.
    const stall = { fraction: 0.1, durationMs: 7000, everyMs: 30_000 };
    const report = await runScenario({ ...base, protocol: PROFILES.lan, profile: 'lan', nodes: 200, seed: 1, crash: 0, durationMs: 300_000, stall });
    expect(report.falseFailures, 'seed 1').toBe(0);
  });
});
