import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '../../src/protocol/events.js';
import { PROFILES, type ProtocolOptions } from '../../src/protocol/options.js';
import { addressKey, nodeName } from '../../src/protocol/types.js';
import type { Simulation } from '../../src/sim/simulation.js';
import { cluster, converged } from './helpers.js';

type Conflict = Extract<NodeEvent, { type: 'address-conflict' }>;

function recordConflicts(sim: Simulation): Array<{ observer: string; conflict: Conflict }> {
  const log: Array<{ observer: string; conflict: Conflict }> = [];
  sim.onEvent((observer, event) => {
    if (event.type === 'address-conflict') log.push({ observer, conflict: event });
  });
  return log;
}

/** Splits six members m0..m5 into {m0,m1,m2} | {m3,m4,m5}, counting datagrams that try to cross. */
function partition(sim: Simulation): { crossings: () => number; heal: () => void } {
  const side = new Set(['m0', 'm1', 'm2']);
  let healed = false;
  let crossings = 0;
  sim.setLinkFilter((from, to) => {
    if (side.has(from) === side.has(to)) return true;
    crossings++;
    return healed;
  });
  return {
    crossings: () => crossings,
    heal: () => {
      healed = true;
    },
  };
}

describe('partitions heal by themselves, within reconnectTimeout', () => {
  // Short intervals so that a run covers several reconnect rounds and the timeout itself.
  const protocol: ProtocolOptions = {
    ...PROFILES.lan,
    reconnectIntervalMs: 2_000,
    gossipToTheDeadTimeMs: 10_000,
    reconnectTimeoutMs: 30_000,
  };

  it('a partition healed before reconnectTimeout merges again with no operator', () => {
    const sim = cluster(6, { seed: 21, protocol });
    expect(sim.runUntil(() => converged(sim), 10_000)).toBe(true);
    const split = partition(sim);
    sim.runFor(25_000);
    expect(sim.statusOf('m0', 'm5')).toBe('failed');
    expect(sim.statusOf('m5', 'm0')).toBe('failed');
    split.heal();
    const healedAt = sim.nowMs;
    // Every member retries a failed one every 2 s with probability failed/alive (here 1).
    expect(sim.runUntil(() => converged(sim), 30_000)).toBe(true);
    expect(sim.nowMs - healedAt).toBeLessThan(15_000);
  });

  it('after reconnectTimeout a failed member is no longer retried, but kept until reapTimeout', () => {
    const sim = cluster(6, { seed: 22, protocol });
    expect(sim.runUntil(() => converged(sim), 10_000)).toBe(true);
    const split = partition(sim);
    // Failure after ~10-25 s, then 30 s of retries, then gossip to the dead has long stopped too.
    sim.runFor(90_000);
    expect(sim.statusOf('m0', 'm5')).toBe('failed');
    const before = split.crossings();
    split.heal();
    sim.runFor(60_000);
    expect(split.crossings() - before).toBe(0);
    expect(sim.statusOf('m0', 'm5')).toBe('failed');
    expect(sim.statusOf('m5', 'm0')).toBe('failed');
    expect(sim.core('m0').members()).toHaveLength(6);
  });
});

describe('two hosts claiming one name', () => {
  /** Four members; then host "imp" starts calling itself m1 (a copied config, a cloned VM) and joins through m0. */
  function impostorCluster(seed: number): { sim: Simulation; conflicts: ReturnType<typeof recordConflicts>; failedM1: () => boolean } {
    const sim = cluster(4, { seed });
    expect(sim.runUntil(() => converged(sim), 10_000)).toBe(true);
    const conflicts = recordConflicts(sim);
    let failedM1 = false;
    sim.onEvent((observer, event) => {
      if (observer !== 'm1' && event.type === 'member-changed' && event.member.name === 'm1' && event.member.status === 'failed') {
        failedM1 = true;
      }
    });
    sim.runFor(2_000); // a later start: the impostor's wall-clock incarnation is higher
    sim.addMember('imp', ['m0'], {}, 'm1');
    return { sim, conflicts, failedM1: () => failedM1 };
  }

  const holders = ['m0', 'm2', 'm3'];
  const addrOf = (sim: Simulation, host: string): string => addressKey(sim.core(host).selfMember.addr);
  const heldAddr = (sim: Simulation, observer: string): string | undefined => {
    const member = sim.core(observer).member(nodeName('m1'));
    return member === undefined ? undefined : addressKey(member.addr);
  };

  it('is logged on both sides, and the live holder keeps its name', () => {
    const { sim, conflicts, failedM1 } = impostorCluster(31);
    sim.runFor(40_000); // covers the join and a push-pull round
    const original = addrOf(sim, 'm1');
    const impostor = addrOf(sim, 'imp');
    for (const observer of holders) {
      expect(heldAddr(sim, observer), observer).toBe(original);
      expect(sim.statusOf(observer, 'm1'), observer).toBe('alive');
    }
    expect(failedM1()).toBe(false);
    // Holder side: a member that holds m1 refused the claim from the impostor's address.
    const holderSide = conflicts.filter((c) => holders.includes(c.observer) && c.conflict.name === 'm1');
    expect(holderSide.length).toBeGreaterThan(0);
    expect(holderSide.every((c) => addressKey(c.conflict.claimed) === impostor && addressKey(c.conflict.held) === original)).toBe(true);
    // Claimant side: the impostor learnt who holds its name, and where.
    const claimantSide = conflicts.filter((c) => c.observer === 'imp');
    expect(claimantSide.length).toBeGreaterThan(0);
    expect(claimantSide.every((c) => c.conflict.name === 'm1' && addressKey(c.conflict.claimed) === original)).toBe(true);
  });

  it.each(['crashes', 'leaves'] as const)('the name moves to the new address once the old holder %s', (how) => {
    const { sim } = impostorCluster(how === 'crashes' ? 32 : 33);
    sim.runFor(10_000);
    const impostor = addrOf(sim, 'imp');
    for (const observer of holders) expect(heldAddr(sim, observer)).not.toBe(impostor);
    if (how === 'crashes') sim.crash('m1');
    else sim.leave('m1');
    // Detection (crash) and then the impostor's next push-pull (30 s) or refutation carries its claim.
    const moved = (): boolean => holders.every((o) => heldAddr(sim, o) === impostor && sim.statusOf(o, 'm1') === 'alive');
    expect(sim.runUntil(moved, 120_000)).toBe(true);
  });
});
