import { PROFILES, type ProtocolOptions } from '../../src/protocol/options.js';
import type { MemberStatus } from '../../src/protocol/types.js';
import type { ScenarioOptions } from '../../src/sim/scenario.js';
import { Simulation, type SimulationOptions } from '../../src/sim/simulation.js';

/** A simulated cluster of `size` members named m0…m(size-1), each joining through m0. */
export function cluster(size: number, options: Partial<SimulationOptions> & { seed: number }): Simulation {
  const protocol: ProtocolOptions = options.protocol ?? PROFILES.lan;
  const sim = new Simulation({ ...options, protocol });
  for (let i = 0; i < size; i++) sim.addMember(`m${i}`, i === 0 ? [] : ['m0']);
  return sim;
}

/** Whether every running member sees every member in `subjects` with `status`. */
export function allSee(sim: Simulation, subjects: readonly string[], status: MemberStatus): boolean {
  return sim
    .memberNames()
    .filter((observer) => sim.isRunning(observer) && !subjects.includes(observer))
    .every((observer) => subjects.every((subject) => sim.statusOf(observer, subject) === status));
}

/** Whether every running member sees every running member alive. */
export function converged(sim: Simulation): boolean {
  const running = sim.memberNames().filter((name) => sim.isRunning(name));
  return running.every((observer) => running.every((subject) => sim.statusOf(observer, subject) === 'alive'));
}

/** Records every (observer, subject, status) transition with its virtual time. */
export function recordTransitions(sim: Simulation): Array<{ observer: string; subject: string; status: MemberStatus; atMs: number }> {
  const log: Array<{ observer: string; subject: string; status: MemberStatus; atMs: number }> = [];
  sim.onEvent((observer, event, atMs) => {
    if (event.type === 'member-changed' && event.previous !== event.member.status) {
      log.push({ observer, subject: event.member.name, status: event.member.status, atMs });
    }
  });
  return log;
}

/** A runScenario plan: 100 members that start converged, lan timing, no loss and no fault but those `overrides` set. */
export function scenarioOf(overrides: Partial<ScenarioOptions> = {}): ScenarioOptions {
  return {
    nodes: 100,
    durationMs: 120_000,
    seed: 1,
    profile: 'lan',
    protocol: PROFILES.lan,
    lossRate: 0,
    latencyMs: [1, 5],
    crash: 0,
    pause: null,
    partition: null,
    faultAtMs: 40_000,
    start: 'converged',
    ...overrides,
  };
}
