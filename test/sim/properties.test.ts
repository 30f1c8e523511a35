import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/options.js';
import { runScenario, type ScenarioOptions } from '../../src/sim/scenario.js';
import { scenarioOf } from './helpers.js';

// Properties of the protocol at scale, on the simulator (real core, real codec, virtual time).
// Fixed seeds: a failure names its seed and replays exactly with `gossipd simulate --seed`.
const base: ScenarioOptions = scenarioOf();

// Large simulated runs: generous limits, the CI machine is shared.
describe('simulated cluster properties', { timeout: 300_000 }, () => {
  it('(a) completeness: every crash is marked failed by every live member within the analytical bound', async () => {
    for (const seed of [11, 12]) {
      const report = await runScenario({ ...base, seed, nodes: 200, crash: 5, lossRate: 0.05, start: 'join' });
      expect(report.convergenceMs, `seed ${seed}`).not.toBeNull();
      expect(report.crashes).toHaveLength(5);
      for (const crash of report.crashes) {
        expect(crash.allDetectMs, `seed ${seed}, ${crash.name}`).not.toBeNull();
        expect(crash.allDetectMs!, `seed ${seed}, ${crash.name}`).toBeLessThanOrEqual(report.expected.allDetectBoundMs);
        // Never faster than the minimum suspicion timeout: a crash is not declared on one missed ack.
        expect(crash.firstDetectMs!, `seed ${seed}, ${crash.name}`).toBeGreaterThanOrEqual(report.expected.suspicionTimeoutMinMs);
      }
    }
  });

  it('(a) completeness at 3,000 members: 5 crashes under 5 % loss, failed everywhere within the bound, no false failure', async () => {
    // A converged start (a 3,000-member join storm costs minutes of CPU) and the direct wire
    // (the same report as the codec, checked in scenario.test.ts): about 40 s of CPU.
    const report = await runScenario({ ...base, seed: 11, nodes: 3000, durationMs: 80_000, faultAtMs: 30_000, crash: 5, lossRate: 0.05, start: 'converged', wire: 'direct' });
    expect(report.crashes).toHaveLength(5);
    for (const crash of report.crashes) {
      expect(crash.allDetectMs, crash.name).not.toBeNull();
      expect(crash.allDetectMs!, crash.name).toBeLessThanOrEqual(report.expected.allDetectBoundMs);
      expect(crash.firstDetectMs!, crash.name).toBeGreaterThanOrEqual(report.expected.suspicionTimeoutMinMs);
    }
    expect(report.falseFailures).toBe(0);
  });

  it.each([0, 0.05, 0.1])('(b) accuracy: no false failures at %s loss, 500 members, 5 minutes, lan profile', async (lossRate) => {
    const report = await runScenario({ ...base, seed: 21, nodes: 500, durationMs: 300_000, lossRate, faultAtMs: 300_000 });
    expect(report.falseFailures, `seed 21, loss ${lossRate}`).toBe(0);
    expect(report.decodeFailures).toBe(0);
    if (lossRate === 0) expect(report.falseSuspicions).toBe(0);
  });

  it('(c) a pause shorter than the minimum suspicion timeout never causes a failure', async () => {
    // n = 100: the minimum suspicion timeout is 4 × log10(100) × 1 s = 8 s. Serf fails a member paused for 8 s.
    for (const seed of [31, 32, 33]) {
      const report = await runScenario({ ...base, seed, pause: { count: 5, durationMs: 7_900 } });
      expect(report.expected.suspicionTimeoutMinMs).toBe(8_000);
      expect(report.pausedFailures, `seed ${seed}`).toBe(0);
      expect(report.falseFailures, `seed ${seed}`).toBe(0);
    }
  });

  it('(d) after a 30 % partition of 60 s heals, every member sees every other alive again within 60 s', async () => {
    // Bound: the reconnect loop (every reconnectInterval = 30 s, with probability
    // failed/alive per member) finds the other side; one round trip settles each disputed
    // member; its refutation then spreads in a few gossip rounds. Two reconnect intervals.
    const boundMs = 2 * PROFILES.lan.reconnectIntervalMs;
    for (const seed of [41, 42]) {
      const report = await runScenario({
        ...base,
        seed,
        nodes: 200,
        durationMs: 200_000,
        partition: { fraction: 0.3, durationMs: 60_000, oneWay: false },
      });
      expect(report.healedMs, `seed ${seed}`).not.toBeNull();
      expect(report.healedMs!, `seed ${seed}`).toBeLessThanOrEqual(boundMs);
    }
  });

  it('(e) messages and bytes per member per second do not grow with the cluster (50 vs 1,000 and 3,000 members)', async () => {
    const small = await runScenario({ ...base, seed: 51, nodes: 50, durationMs: 60_000, faultAtMs: 60_000 });
    // The 3,000-member run hands messages over without encoding them (the same report as the
    // codec, checked in scenario.test.ts), to keep its cost in the suite near 10 s of CPU.
    for (const [nodes, wire] of [
      [1000, 'codec'],
      [3000, 'direct'],
    ] as const) {
      const large = await runScenario({ ...base, seed: 51, nodes, durationMs: 60_000, faultAtMs: 60_000, wire });
      // Steady state is one ping and one ack per member per period whatever n is; anti-entropy
      // adds a little (and slows down above 32 members). Allow 25 %.
      const ratio = large.perNode.msgsSentPerSec.mean / small.perNode.msgsSentPerSec.mean;
      expect(ratio, `${nodes} members: messages`).toBeGreaterThan(0.75);
      expect(ratio, `${nodes} members: messages`).toBeLessThan(1.25);
      expect(large.perNode.msgsSentPerSec.mean).toBeLessThan(2.5);
      // Bytes too: a bigger table must not make the steady datagrams bigger (digests, not tables).
      expect(large.perNode.bytesSentPerSec.mean / small.perNode.bytesSentPerSec.mean, `${nodes} members: bytes`).toBeLessThan(1.25);
    }
  });

  it('(f) the same seed gives the same report, wall time and process memory apart', async () => {
    const options: ScenarioOptions = {
      ...base,
      seed: 61,
      nodes: 60,
      durationMs: 90_000,
      crash: 2,
      lossRate: 0.1,
      pause: { count: 2, durationMs: 3_000 },
      stall: { fraction: 0.1, durationMs: 2_000, everyMs: 30_000 },
      churn: 0.05,
      start: 'join',
    };
    const { wallMs: _a, peakMemoryBytes: _c, ...first } = await runScenario(options);
    const { wallMs: _b, peakMemoryBytes: _d, ...second } = await runScenario(options);
    expect(first.stalls).toBeGreaterThan(0);
    expect(first.restarts).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });
});
