import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROFILES } from '../../src/protocol/options.js';
import { ConvergenceTracker } from '../../src/sim/convergence.js';
import { runScenario, type ScenarioOptions } from '../../src/sim/scenario.js';
import { Simulation } from '../../src/sim/simulation.js';
import { cluster, converged, scenarioOf } from './helpers.js';

// The simulator's recurring faults (--stall, --churn) and the report fields that measure them.
// Every member exists from time 0 (converged), so every planned stall and restart happens.
const base: ScenarioOptions = scenarioOf({ nodes: 50, durationMs: 300_000, seed: 81, faultAtMs: 100_000 });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('--stall: members that freeze again and again', () => {
  it('0.1:2s:60s on 50 members for 5 minutes: 5 members stall 5 times each, and no stall becomes a failure', async () => {
    const pause = vi.spyOn(Simulation.prototype, 'pause');
    const report = await runScenario({ ...base, stall: { fraction: 0.1, durationMs: 2_000, everyMs: 60_000 } });
    // round(0.1 × 50) = 5 members; each starts at a phase in [0, 60 s), so 5 stalls fit in 300 s.
    expect(pause).toHaveBeenCalledTimes(25);
    const perMember = new Map<string, number>();
    for (const [name, durationMs] of pause.mock.calls) {
      expect(durationMs).toBe(2_000);
      perMember.set(name, (perMember.get(name) ?? 0) + 1);
    }
    expect([...perMember.values()]).toEqual([5, 5, 5, 5, 5]);
    expect(report.stalls).toBe(25);
    // 2 s is far below the 6.8 s minimum suspicion timeout (n = 50): suspected, refuted, never failed.
    expect(report.falseSuspicions).toBeGreaterThan(0);
    expect(report.falseFailures).toBe(0);
    expect(report.stallFailures).toBe(0);
    expect(report.pausedFailures).toBe(0);
    expect(report.restarts).toBe(0);
    expect(report.restartRecoveryMs).toEqual({ p50: null, max: null });
    expect(report.stuck).toBe(0);
    expect(report.peakMemoryBytes).toBeGreaterThan(0);
    // Present; exact counts are checked on a small cluster below (here, started converged, they are 0).
    expect(report.fullStateTransfers).toBeGreaterThanOrEqual(0);
    expect(report.statePacketsSent).toBeGreaterThanOrEqual(report.fullStateTransfers);
  });

  it('a stall longer than the suspicion timeout is counted as a false failure of a stalling member', async () => {
    // 25 s frozen, n = 50: beyond the 6.8 s minimum and, with a few confirmations, the timeout.
    const report = await runScenario({ ...base, durationMs: 90_000, stall: { fraction: 0.04, durationMs: 25_000, everyMs: 60_000 } });
    expect(report.stalls).toBeGreaterThanOrEqual(2);
    expect(report.stallFailures).toBeGreaterThan(0);
    expect(report.falseFailures).toBe(report.stallFailures);
    expect(report.pausedFailures).toBe(0);
  });
});

describe('--churn: members restarting under the same name', () => {
  it('0.05 on 50 members for 3 minutes: 7 restarts, each member once, all recovered, none stuck', async () => {
    const restart = vi.spyOn(Simulation.prototype, 'restart');
    const report = await runScenario({ ...base, durationMs: 180_000, churn: 0.05 });
    // 0.05 × 50 = 2.5 restarts a minute, one every 24 s at 12 s, 36 s, …, 156 s: 7 before 180 s.
    expect(restart).toHaveBeenCalledTimes(7);
    const restarted = restart.mock.calls.map(([name]) => name);
    expect(new Set(restarted).size).toBe(7);
    for (const [, seeds] of restart.mock.calls) expect(seeds).toHaveLength(3);
    expect(report.restarts).toBe(7);
    expect(report.restartsRecovered).toBe(7);
    expect(report.restartRecoveryMs.p50).not.toBeNull();
    expect(report.restartRecoveryMs.max).not.toBeNull();
    expect(report.restartRecoveryMs.p50!).toBeLessThanOrEqual(report.restartRecoveryMs.max!);
    expect(report.stuck).toBe(0);
    expect(report.falseFailures).toBe(0);
    expect(report.stalls).toBe(0);
  });

  it('stalls and churn draw from streams of their own: the base plan (who crashes) is unchanged', async () => {
    const options: ScenarioOptions = { ...base, durationMs: 60_000, faultAtMs: 20_000, crash: 3, start: 'join' };
    const plain = await runScenario(options);
    const faulted = await runScenario({ ...options, churn: 0.05, stall: { fraction: 0.1, durationMs: 1_000, everyMs: 20_000 } });
    expect(faulted.crashes.map((crash) => crash.name)).toEqual(plain.crashes.map((crash) => crash.name));
    expect(faulted.convergenceMs).toBe(plain.convergenceMs);
    expect(faulted.restarts).toBeGreaterThan(0);
    expect(faulted.stalls).toBeGreaterThan(0);
  });
});

describe('the simulator underneath', () => {
  it('a restart takes its incarnation from the virtual wall clock', () => {
    const sim = cluster(3, { seed: 82, startWallSeconds: 1_000_000 });
    expect(sim.runUntil(() => converged(sim), 10_000)).toBe(true);
    sim.runFor(12_345 - sim.nowMs);
    sim.crash('m1');
    sim.restart('m1', ['m0', 'm2']);
    expect(sim.core('m1').selfMember.incarnation).toBe(1_000_012);
    expect(sim.runUntil(() => sim.memberAsSeenBy('m0', 'm1')?.incarnation === 1_000_012, 5_000)).toBe(true);
  });

  it('counts one full-table transfer (one state datagram: nobody answers a state) per join, and none in a quiet cluster', () => {
    const sim = cluster(2, { seed: 83 });
    expect(sim.runUntil(() => converged(sim), 10_000)).toBe(true);
    sim.runFor(60_000);
    expect(sim.fullStateTransfers).toBe(1);
    expect(sim.statePacketsSent).toBe(1);
  });

  it("the convergence tracker's count of pairs not seen alive matches every pair, through crashes and restarts", () => {
    const sim = new Simulation({ seed: 84, protocol: PROFILES.lan, lossRate: 0.05 });
    const names = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const tracker = new ConvergenceTracker(sim, names.length);
    sim.onEvent((observer, event) => {
      if (event.type === 'member-changed' && event.previous !== event.member.status) {
        tracker.onChange(observer, event.member.name, event.previous, event.member.status);
      }
    });
    for (const name of names) tracker.onStart(name);
    sim.addConvergedMembers(names);
    const bruteForce = (): number => {
      const running = names.filter((name) => tracker.isRunning(name));
      return running.flatMap((o) => running.filter((s) => s !== o && sim.statusOf(o, s) !== 'alive')).length;
    };
    const check = (): void => {
      expect(tracker.notSeenAlive(), `at ${sim.nowMs} ms`).toBe(bruteForce());
    };
    sim.runFor(5_000);
    check();
    sim.crash('m3');
    tracker.onCrash('m3');
    for (const [name, seeds] of [
      ['m5', ['m0', 'm1', 'm2']],
      ['m6', ['m5']],
    ] as const) {
      sim.runFor(3_000);
      check();
      sim.crash(name);
      sim.restart(name, seeds);
      tracker.onRestart(name);
      check();
      sim.runFor(300);
      check();
    }
    sim.runFor(30_000);
    check();
    expect(tracker.notSeenAlive()).toBe(0);
  });
});
