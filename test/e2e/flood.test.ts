import { createSocket, type Socket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import type { Message } from '../../src/protocol/messages.js';
import { killAll, startAgentProcess, type AgentProcess } from './processes.js';

// A moderate local flood of valid-looking packets against one of three real agent processes.
// What is asserted: while it lasts and for a while after, no agent marks any other failed (the
// flooded one keeps its probes and answers its peers' probes); the per-source limits engaged
// (the flooded agent counted rate-limited drops); afterwards everyone is alive everywhere.
// The rate is far below what the agent holds in bench/flood.ts, and the timing is slower than
// the other e2e tests' (a 2.5 s minimum suspicion instead of 0.8 s): on a shared, oversubscribed
// machine a flooded process that is simply not scheduled must not count as the flood's doing.
const FLOOD_SECONDS = 5;
const TIMING = ['--probe-interval', '500ms', '--probe-timeout', '250ms', '--suspicion-mult', '5'];
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
    [{ type: 'ping', seq: 7, target }],
    [{ type: 'ack', seq: 123_456_789 }],
    [{ type: 'suspect', name: 'ghost-1', incarnation: 1, from: 'ghost-2' }],
    [{ type: 'sync', digest: 1, members: 3, join: false }],
    [{ type: 'ping-req', seq: 9, target: 'ghost-3', targetAddr: { host: '127.0.0.1', port: 9 }, wantNack: true }],
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

  it('does not get the flooded agent, or anyone, declared failed', async () => {
    const target = await startAgentProcess('f0', TIMING);
    agents.push(target);
    for (const name of ['f1', 'f2']) agents.push(await startAgentProcess(name, [...TIMING, '--join', target.udp]));
    expect(await poll(() => allAlive(agents), 20_000)).toBe(true);
    const linesBefore = new Map(agents.map((a) => [a, a.logs.length] as const));
    const droppedBefore = (await health(target)).droppedPackets;

    const sent = await flood(target.udp, target.name, FLOOD_SECONDS);
    // Two more seconds: a suspicion raised during the flood would have run out by then.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(failures(agents, linesBefore)).toEqual([]);
    const dropped = (await health(target)).droppedPackets - droppedBefore;
    // About 23,000 sent, of which at least the first source's 15,000 - (2,000 + 5 × 1,000) are limited.
    expect(sent).toBeGreaterThan(FLOOD_SECONDS * SINGLE_SOURCE_PER_SEC);
    expect(dropped).toBeGreaterThan(sent * 0.2);
    expect(await poll(() => allAlive(agents), 10_000)).toBe(true);
    console.info(`flood: ${sent} packets in ${FLOOD_SECONDS} s from ${1 + MANY_SOURCES} sources, ${dropped} rate-limited, no failures`);
  });
});
