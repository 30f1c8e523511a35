import { createSocket, type Socket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import { PROFILES, suspicionBounds } from '../../src/protocol/index.js';
import type { Message } from '../../src/protocol/messages.js';
import { incarnation, nodeName, seqNo } from '../../src/protocol/types.js';
import { killAll, startAgentProcess, type AgentProcess } from './processes.js';

// A moderate local flood of valid-looking packets against one of three real agent processes.
// What is asserted: while it lasts and until well past the longest any suspicion it caused
// could run, no agent suspects any member of the cluster, let alone marks one failed (the
// flooded one keeps its probes and answers its peers' probes in time); the per-source limits
// engaged (the flooded agent counted rate-limited drops); afterwards everyone is alive
// everywhere. The rate is far below what the agent holds in bench/flood.ts, and the timing is
// slower than the other e2e tests' (250 ms probe timeouts, a 2.5 s minimum suspicion instead of
// 0.8 s): on a shared, oversubscribed machine a flooded process that is simply not scheduled
// must not count as the flood's doing.
const FLOOD_SECONDS = 5;
const AGENTS = 3;
const PROBE_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 250;
const SUSPICION_MULT = 5;
const TIMING = ['--probe-interval', `${PROBE_INTERVAL_MS}ms`, '--probe-timeout', `${PROBE_TIMEOUT_MS}ms`, '--suspicion-mult', String(SUSPICION_MULT)];
const BOUNDS = suspicionBounds(AGENTS, PROBE_INTERVAL_MS, SUSPICION_MULT, PROFILES.local.suspicionMaxTimeoutMult);
/**
 * The longest a suspicion can run here before its member is declared failed: Lifeguard's
 * maximum timeout (6 × the 2.5 s minimum = 15 s; with three members no confirmations are
 * expected, so the agents use the minimum, but the watch does not rely on that), then the
 * final check's two probe timeouts.
 */
const LONGEST_SUSPICION_MS = BOUNDS.maxMs + 2 * PROBE_TIMEOUT_MS;
/**
 * Probe rounds every agent completes after the flood before the verdict: the round in flight
 * when it ended (whose close would raise a suspicion the flood caused), one for the suspicion
 * to spread, and the longest suspicion. A round is never shorter than the probe interval, and
 * a slow agent's rounds stretch by the same factor as its final check.
 */
const WATCH_ROUNDS = 2 + Math.ceil(LONGEST_SUSPICION_MS / PROBE_INTERVAL_MS);
/** One source at 3,000/s: three times its per-source budget (1,000/s after a 2,000 burst). */
const SINGLE_SOURCE_PER_SEC = 3_000;
/**
 * Sixteen more sources at 100/s each: within their own budgets, but together with the first
 * one's admitted packets over the budget all strangers share (2,000/s after a 4,000 burst).
 */
const MANY_SOURCES = 16;
const MANY_SOURCES_EACH_PER_SEC = 100;

function floodPackets(target: string): Uint8Array[] {
  const codec = createCodec({ cluster: 'e2e' });
  const kinds: Message[][] = [
    [{ type: 'ping', seq: seqNo(7), target: nodeName(target) }],
    [{ type: 'ack', seq: seqNo(123_456_789) }],
    [{ type: 'suspect', name: nodeName('ghost-1'), incarnation: incarnation(1), from: nodeName('ghost-2') }],
    [{ type: 'sync', digest: 1, members: 3, join: false }],
    [{ type: 'ping-req', seq: seqNo(9), target: nodeName('ghost-3'), targetAddr: { host: '127.0.0.1', port: 9 }, wantNack: true }],
  ];
  return kinds.map((messages) => Uint8Array.from(codec.encode(messages)));
}

async function openSockets(count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = createSocket('udp4');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    }),
  );
}

/** Sends at the given rates for `seconds`, in 10 ms slices; resolves with the count sent. */
async function flood(to: string, target: string, seconds: number): Promise<number> {
  const [host = '127.0.0.1', portText = '0'] = to.split(':');
  const port = Number(portText);
  const packets = floodPackets(target);
  const [single, ...many] = await openSockets(1 + MANY_SOURCES);
  let singleSent = 0;
  let manySent = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < seconds * 1000) {
      const elapsedMs = performance.now() - started;
      const singleDue = Math.floor((SINGLE_SOURCE_PER_SEC * elapsedMs) / 1000);
      const manyDue = Math.floor((MANY_SOURCES_EACH_PER_SEC * elapsedMs) / 1000);
      for (; singleSent < singleDue; singleSent++) single?.send(packets[singleSent % packets.length] ?? new Uint8Array(), port, host);
      for (; manySent < manyDue * MANY_SOURCES; manySent++) {
        many[manySent % MANY_SOURCES]?.send(packets[manySent % packets.length] ?? new Uint8Array(), port, host);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    for (const socket of [single, ...many]) socket?.close();
  }
  return singleSent + manySent;
}

function failures(agents: readonly AgentProcess[], sinceLine: ReadonlyMap<AgentProcess, number>): string[] {
  return agents.flatMap((a) =>
    a.logs
      .slice(sinceLine.get(a) ?? 0)
      .filter((line) => line['to'] === 'failed')
      .map((line) => `${a.name} marked ${String(line['member'])} failed`),
  );
}

/** Every suspicion of a member of the cluster the agents' logs show since `sinceLine`, as "who suspected whom". */
function suspicions(agents: readonly AgentProcess[], sinceLine: ReadonlyMap<AgentProcess, number>): string[] {
  const members = new Set(agents.map((a) => a.name));
  return agents.flatMap((a) =>
    a.logs
      .slice(sinceLine.get(a) ?? 0)
      .filter((line) => line['to'] === 'suspect' && line['from'] !== 'suspect' && typeof line['member'] === 'string' && members.has(line['member']))
      .map((line) => `${a.name} suspected ${String(line['member'])}`),
  );
}

/** Probe rounds the agent has completed (acked directly or indirectly, or failed), from its /metrics. */
async function probeRounds(agent: AgentProcess): Promise<number> {
  const text = await (await fetch(`http://${agent.http}/metrics`)).text();
  return [...text.matchAll(/^gossipd_probes_total\{result="[a-z_]+"\} (\S+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function health(agent: AgentProcess): Promise<{ droppedPackets: number }> {
  return (await (await fetch(`http://${agent.http}/v1/health`)).json()) as { droppedPackets: number };
}

async function allAlive(agents: readonly AgentProcess[]): Promise<boolean> {
  const views = await Promise.all(
    agents.map(async (a) => (await (await fetch(`http://${a.http}/v1/members`)).json()) as Array<{ name: string; status: string }>),
  );
  return views.every((view) => agents.every((subject) => view.find((m) => m.name === subject.name)?.status === 'alive'));
}

async function poll(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition().catch(() => false);
}

describe('a local flood of valid-looking packets', () => {
  const agents: AgentProcess[] = [];
  afterAll(() => killAll(agents));

  it('does not get the flooded agent, or anyone, declared failed', { timeout: 180_000 }, async () => {
    const target = await startAgentProcess('f0', TIMING);
    agents.push(target);
    for (const name of ['f1', 'f2']) agents.push(await startAgentProcess(name, [...TIMING, '--join', target.udp]));
    expect(agents).toHaveLength(AGENTS);
    expect(await poll(() => allAlive(agents), 20_000)).toBe(true);
    const linesBefore = new Map(agents.map((a) => [a, a.logs.length] as const));
    const droppedBefore = (await health(target)).droppedPackets;

    const sent = await flood(target.udp, target.name, FLOOD_SECONDS);
    // Until every agent has probed on past the point where any suspicion the flood caused would
    // have been raised and run out: counted in its own probe rounds (a starved agent's rounds
    // stretch as its timers do), and never less than the longest suspicion in wall time.
    const floodEndMs = performance.now();
    const roundsAfterFlood = await Promise.all(agents.map(probeRounds));
    const watched = await poll(
      async () => (await Promise.all(agents.map(probeRounds))).every((rounds, i) => rounds >= (roundsAfterFlood[i] ?? 0) + WATCH_ROUNDS),
      90_000,
    );
    expect(watched).toBe(true);
    const watchedMs = performance.now() - floodEndMs;
    expect(watchedMs).toBeGreaterThan(LONGEST_SUSPICION_MS);

    expect(failures(agents, linesBefore)).toEqual([]);
    expect(suspicions(agents, linesBefore)).toEqual([]);
    const dropped = (await health(target)).droppedPackets - droppedBefore;
    // About 23,000 sent, of which at least the first source's 15,000 - (2,000 + 5 × 1,000) are limited.
    expect(sent).toBeGreaterThan(FLOOD_SECONDS * SINGLE_SOURCE_PER_SEC);
    expect(dropped).toBeGreaterThan(sent * 0.2);
    expect(await poll(() => allAlive(agents), 10_000)).toBe(true);
    console.info(
      `flood: ${sent} packets in ${FLOOD_SECONDS} s from ${1 + MANY_SOURCES} sources, ${dropped} rate-limited, ` +
        `no suspicion, no failure, over ${WATCH_ROUNDS} probe rounds (${(watchedMs / 1000).toFixed(1)} s) after it`,
    );
  });
});
