import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import type { MemberStatus } from '../../src/protocol/types.js';
import { ackedProbes, allAlive, fastConfig, roundsToProbeEveryPeer, sees, startCluster, suspicionsStarted, waitFor, waitForAckedProbes } from './helpers.js';

// Five real agents in one process over real UDP on 127.0.0.1, with the fast timing of the
// issue. Bounds are generous: they must hold on a slow, shared 2-core machine.
describe('five agents over real UDP', () => {
  let agents: Agent[] = [];

  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    agents = [];
  });

  it('converge: every agent sees all five alive', async () => {
    agents = await startCluster(5);
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
  });

  it('a crashed agent is marked failed by all others', async () => {
    agents = await startCluster(5);
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const [victim, ...rest] = [agents[3] as Agent, ...agents.filter((_, i) => i !== 3)];
    await victim.stop();
    expect(await waitFor(() => rest.every((a) => sees(a, victim.name, 'failed')), 20_000)).toBe(true);
  });

  // A whole-process stall rarely catches a probe in flight (acks take ~1 ms of a 200 ms
  // period), so this checks survival over real sockets; the late-timer gate itself is proven
  // in test/sim/protocol.test.ts, where the test fails without it.
  it('a stall of the whole process longer than the suspicion timeout makes nobody suspect anybody', async () => {
    agents = await startCluster(5);
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const seen = new Set<MemberStatus>();
    const watch = setInterval(() => {
      for (const a of agents) for (const m of a.members()) seen.add(m.status);
    }, 10);
    const suspicionsBefore = suspicionsStarted(agents);
    // Longer than the probe timeout and the minimum suspicion timeout (800 ms).
    const until = Date.now() + 1_500;
    while (Date.now() < until) {
      // Busy-wait: every agent's timers fire late and its acks queue in the socket.
    }
    // A suspicion the stall caused would start when the round it caught closes, early in the
    // first rounds after it. Wait until every agent has probed each peer again, with an ack.
    const marks = ackedProbes(agents);
    expect(await waitForAckedProbes(agents, marks, roundsToProbeEveryPeer(agents.length), 20_000)).toBe(true);
    clearInterval(watch);
    // Every timer fired late: a missed ack is this process's own fault, not the peers'.
    expect(suspicionsStarted(agents) - suspicionsBefore).toBe(0);
    expect(seen.has('suspect')).toBe(false);
    expect(seen.has('failed')).toBe(false);
    expect(allAlive(agents)).toBe(true);
  });

  it('a graceful leave is seen as left by all others', async () => {
    agents = await startCluster(5);
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const leaver = agents[4] as Agent;
    await leaver.leave();
    await leaver.stopped;
    const rest = agents.slice(0, 4);
    expect(await waitFor(() => rest.every((a) => sees(a, leaver.name, 'left')), 5_000)).toBe(true);
  });

  it('an agent restarted under the same name and address is alive again everywhere', async () => {
    agents = await startCluster(5);
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const old = agents[2] as Agent;
    const [, port] = splitAddress(old.boundAddresses.udp);
    await old.stop();
    const rest = agents.filter((a) => a !== old);
    expect(await waitFor(() => rest.every((a) => sees(a, 'a2', 'failed')), 20_000)).toBe(true);
    const reborn = createAgent(
      fastConfig('a2', { bind: { host: '127.0.0.1', port }, join: [(agents[0] as Agent).boundAddresses.udp] }),
      { http: false },
    );
    await reborn.start();
    agents = [...rest, reborn];
    expect(await waitFor(() => allAlive(agents), 20_000)).toBe(true);
  });

  it('drops garbage and foreign-cluster datagrams, counts them, and keeps working', async () => {
    agents = await startCluster(5);
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const target = agents[0] as Agent;
    const [host, port] = splitAddress(target.boundAddresses.udp);
    const socket = createSocket('udp4');
    const garbage = [
      Buffer.alloc(0),
      Buffer.from('hello'),
      Buffer.from([1, 0, 0, 0, 0, 0x91]),
      Buffer.alloc(9000, 0xff),
      Buffer.alloc(20_000, 1),
    ];
    for (let i = 0; i < 200; i++) garbage.push(Buffer.from(Array.from({ length: 1 + (i % 60) }, (_, j) => (i * 31 + j * 7) & 255)));
    for (const bytes of garbage) socket.send(bytes, port, host);
    const sent = garbage.length;
    const dropped = (): number => Object.values(target.drops).reduce((a, b) => a + b, 0);
    // Empty datagrams may not be delivered by every kernel; all others must be counted.
    expect(await waitFor(() => dropped() >= sent - 1, 5_000)).toBe(true);
    socket.close();
    expect(target.health().status).toBe('ok');
    // Still working after the garbage: every agent probed each peer again, with an ack.
    const marks = ackedProbes(agents);
    expect(await waitForAckedProbes(agents, marks, roundsToProbeEveryPeer(agents.length), 20_000)).toBe(true);
    expect(allAlive(agents)).toBe(true);
  });
});

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
