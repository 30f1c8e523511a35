import { createSocket } from 'node:dgram';
import { Packr, Unpackr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import type { AgentDropReason } from '../../src/agent/agent.js';
import { clusterTag, createCodec, HEADER_BYTES, LIMITS, PROTOCOL_VERSION } from '../../src/codec/index.js';
import { toTuple } from '../../src/codec/tuples.js';
import type { MemberState, Message } from '../../src/protocol/messages.js';
import { incarnation, nodeName, seqNo, type Address } from '../../src/protocol/types.js';
import { openUdpTransport } from '../../src/transport/udp.js';
import type { DatagramHandler } from '../../src/transport/transport.js';
import { allAlive, fastConfig, waitFor } from './helpers.js';

/**
 * Hostile input against a live agent: ≥ 100,000 mutated valid packets through the agent's own
 * receive path (in-process, the same handler the UDP socket calls), plus a real-UDP portion.
 *
 * What is asserted, per packet: a reference decoder (the codec, as a peer would run it) says
 * whether the packet is valid. An invalid packet must be counted as exactly one drop and must
 * not reach the core (packetsReceived unchanged); a valid one must not be counted as a drop.
 * Invalid packets are fed in runs, and the member table (names, addresses, statuses,
 * incarnations, tags, and our own incarnation) must be identical before and after each run.
 * Valid packets — including valid-looking updates for unknown members — may change state.
 * Seeded: HOSTILE_SEED=<n> replays or explores.
 */
const SEED = Number(process.env['HOSTILE_SEED'] ?? 0xbad_5eed) >>> 0;
const IN_PROCESS_PACKETS = 100_000;
const UDP_PACKETS = 5_000;
const BATCH = 1_000;
const CLUSTER = 'integration';

type Random = () => number;

function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

const int = (random: Random, max: number): number => Math.floor(random() * max);
function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[int(random, items.length)];
  if (item === undefined) throw new Error('empty');
  return item;
}

// ─── Valid packets: what a peer might send, about members nobody knows ────────────────────

/** Every address in a generated packet is on loopback: replies the agent sends go nowhere. */
function loopbackAddr(random: Random): Address {
  return { host: `127.77.${int(random, 256)}.${1 + int(random, 254)}`, port: 1024 + int(random, 60_000) };
}

/** A small pool, so the table stays small and every full-state answer the agent sends is cheap. */
const FUZZ_NAMES = Array.from({ length: 40 }, (_, i) => nodeName(`fz-${i.toString(36)}-member`));

function fuzzMember(random: Random): MemberState {
  return {
    name: pick(random, FUZZ_NAMES),
    addr: loopbackAddr(random),
    incarnation: incarnation(int(random, 2 ** 32)),
    status: pick(random, ['alive', 'suspect', 'failed', 'left'] as const),
    tags: random() < 0.7 ? {} : { role: 'x'.repeat(int(random, 40)), zone: String(int(random, 9)) },
  };
}

/** Message kinds by weight: syncs and states are rarer, as each makes the agent send its whole table. */
const KINDS = ['ping', 'ack', 'nack', 'ping-req', 'alive', 'suspect', 'failed', 'left'].flatMap((k) => [k, k, k, k]).concat(['sync', 'state', 'state']);

function validMessage(random: Random, target: string): Message {
  const name = pick(random, FUZZ_NAMES);
  const inc = incarnation(int(random, 2 ** 32));
  const seq = seqNo(int(random, 2 ** 32));
  switch (pick(random, KINDS)) {
    case 'ping':
      return { type: 'ping', seq, target: random() < 0.5 ? nodeName(target) : name };
    case 'ack':
      return { type: 'ack', seq };
    case 'nack':
      return { type: 'nack', seq };
    case 'ping-req':
      return { type: 'ping-req', seq, target: name, targetAddr: loopbackAddr(random), wantNack: random() < 0.5 };
    case 'alive': {
      const m = fuzzMember(random);
      return { type: 'alive', name, incarnation: inc, addr: m.addr, tags: m.tags };
    }
    case 'suspect':
      return { type: 'suspect', name, incarnation: inc, from: pick(random, FUZZ_NAMES) };
    case 'failed':
      return { type: 'failed', name, incarnation: inc, from: pick(random, FUZZ_NAMES) };
    case 'left':
      return { type: 'left', name, incarnation: inc };
    case 'sync':
      return { type: 'sync', digest: int(random, 2 ** 32), members: int(random, 300), join: random() < 0.3 };
    default:
      return { type: 'state', full: random() < 0.1, members: Array.from({ length: int(random, 5) }, () => fuzzMember(random)) };
  }
}

const codec = createCodec({ cluster: CLUSTER });
const packr = new Packr({ useRecords: false, variableMapSize: true });

function header(version = PROTOCOL_VERSION, cluster = CLUSTER): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  bytes[0] = version;
  new DataView(bytes.buffer).setUint32(1, clusterTag(cluster));
  return bytes;
}

function withHeader(body: Uint8Array, head = header()): Uint8Array {
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function validMessages(random: Random, target: string): Message[] {
  return Array.from({ length: 1 + int(random, 6) }, () => validMessage(random, target));
}

// ─── Mutations ───────────────────────────────────────────────────────────────────────────

const WRONG_VALUES: readonly unknown[] = [
  null, true, false, -1, 1.5, -0.0, 2 ** 32, 2 ** 53, Number.NaN, Infinity, '', 'x'.repeat(300), [], [1, [2, [3]]],
  new Map([['a', 1]]), new Map([[1, 'a']]), new Uint8Array([1, 2, 3]), { a: 1 }, 99, 255, 70_000,
];

type Mutation = (random: Random, target: string) => Uint8Array;

const OVERSIZED_STATES: readonly Uint8Array[] = [1, 2, 30].map((extra) => {
  const members: MemberState[] = Array.from({ length: LIMITS.maxStateMembersPerPacket + extra }, (_, i) => ({
    name: nodeName(`fz-big-${i}`),
    addr: { host: '127.77.0.1', port: 1024 + i },
    incarnation: incarnation(i),
    status: 'alive',
    tags: {},
  }));
  return withHeader(packr.pack([toTuple({ type: 'state', full: false, members })]));
});

const TOO_MANY_MESSAGES: readonly Uint8Array[] = [1, 2, 100, 1000].map((extra) =>
  withHeader(packr.pack(Array.from({ length: LIMITS.maxMessagesPerPacket + extra }, () => [1, 0]))),
);

/** One packet holding the messages of both (array headers rewritten), to hide a bad message among good ones. */
function concatBodies(a: Uint8Array, b: Uint8Array): Uint8Array {
  const first = codec.decode(a);
  const tuples = first.ok ? first.value.map((m) => toTuple(m)) : [];
  const second: unknown = unpackBody(b);
  return packr.pack([...tuples, ...(Array.isArray(second) ? second : [])]);
}

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false });
function unpackBody(packet: Uint8Array): unknown {
  return unpackr.unpack(packet.subarray(HEADER_BYTES));
}

const MUTATIONS: ReadonlyArray<readonly [string, Mutation]> = [
  [
    'bit flips',
    (random, target) => {
      const bytes = Uint8Array.from(codec.encode(validMessages(random, target)));
      const flips = 1 + int(random, 8);
      for (let i = 0; i < flips; i++) {
        const at = int(random, bytes.length);
        bytes[at] = (bytes[at] ?? 0) ^ (1 << int(random, 8));
      }
      return bytes;
    },
  ],
  [
    'truncation',
    (random, target) => {
      const bytes = codec.encode(validMessages(random, target));
      return bytes.slice(0, int(random, bytes.length));
    },
  ],
  [
    'trailing garbage',
    (random, target) => {
      const bytes = codec.encode(validMessages(random, target));
      const out = new Uint8Array(bytes.length + 1 + int(random, 16));
      out.set(bytes);
      for (let i = bytes.length; i < out.length; i++) out[i] = int(random, 256);
      return out;
    },
  ],
  [
    'wrong types',
    (random, target) => {
      const tuples = validMessages(random, target).map((m) => toTuple(m));
      const tuple = pick(random, tuples);
      const at = int(random, tuple.length);
      tuple[at] = pick(random, WRONG_VALUES);
      return withHeader(packr.pack(tuples));
    },
  ],
  [
    'unknown type codes and arities',
    (random) => {
      const code = pick(random, [-1, 12, 13, 127, 128, 255, 65_535, 'ping', null]);
      const tuple = [code, ...Array.from({ length: int(random, 8) }, () => pick(random, WRONG_VALUES))];
      return withHeader(packr.pack([tuple]));
    },
  ],
  [
    'huge lengths and counts',
    (random) => {
      // msgpack headers announcing far more than the datagram holds: array32, map32, str32, bin32, ext32.
      const lead = pick(random, [0xdd, 0xdf, 0xdb, 0xc6, 0xc9, 0xdc, 0xde, 0xda, 0xc5]);
      const big = pick(random, [0xffff_ffff, 0x7fff_ffff, 65_535, 10_000, 256]);
      const width = lead === 0xdc || lead === 0xde || lead === 0xda || lead === 0xc5 ? 2 : 4;
      const head = [lead];
      for (let i = width - 1; i >= 0; i--) head.push((big >>> (8 * i)) & 0xff);
      const prefix = random() < 0.5 ? [] : [0x91, 0x93, 0x09, 0xc2]; // inside a state tuple's member list
      return withHeader(Uint8Array.from([...prefix, ...head, ...Array.from({ length: int(random, 32) }, () => int(random, 256))]));
    },
  ],
  [
    'too many messages',
    (random) => pick(random, TOO_MANY_MESSAGES),
  ],
  [
    'deep nesting',
    (random) => {
      // fixarray(1) or fixmap(1) with key "k", each inside the last, far deeper than any packet.
      const depth = 6 + int(random, (LIMITS.maxDatagramBytes - 16) / 3);
      const body: number[] = [];
      for (let level = 0; level < depth; level++) body.push(...(random() < 0.5 ? [0x91] : [0x81, 0xa1, 0x6b]));
      body.push(0x01);
      return withHeader(Uint8Array.from(body));
    },
  ],
  [
    'oversized state',
    (random, target) => {
      // More members than a state message may carry, before or after valid messages (built once: costly).
      const packet = pick(random, OVERSIZED_STATES);
      const valid = codec.encode(validMessages(random, target));
      return random() < 0.5 ? packet : withHeader(concatBodies(valid, packet));
    },
  ],
  [
    'random body',
    (random) => withHeader(Uint8Array.from({ length: int(random, 200) }, () => int(random, 256))),
  ],
  [
    'foreign header',
    (random, target) => {
      const body = codec.encode(validMessages(random, target)).subarray(HEADER_BYTES);
      return random() < 0.5 ? withHeader(body, header(PROTOCOL_VERSION + 1 + int(random, 200))) : withHeader(body, header(PROTOCOL_VERSION, 'other'));
    },
  ],
  ['too large', (random) => new Uint8Array(LIMITS.maxDatagramBytes + 1 + int(random, 1000))],
  ['too short', (random) => header().subarray(0, int(random, HEADER_BYTES + 1))],
  // Unmutated: valid-looking updates for unknown members. Valid; they may change state.
  ['valid updates for unknown members', (random, target) => codec.encode(validMessages(random, target))],
];

// ─── The agent under test ────────────────────────────────────────────────────────────────

function dropTotal(agent: Agent): number {
  let total = 0;
  for (const [reason, count] of Object.entries(agent.drops) as Array<[AgentDropReason, number]>) if (reason !== 'rate-limited') total += count;
  return total;
}

function fingerprint(agent: Agent): string {
  const rows = agent.protocol
    .members()
    .map((m) => `${m.name}|${m.addr.host}:${m.addr.port}|${m.status}|${m.incarnation}|${JSON.stringify(m.tags)}`)
    .sort();
  return `${agent.protocol.selfMember.incarnation}\n${rows.join('\n')}`;
}

describe(`hostile input (seed ${SEED})`, () => {
  let target: Agent;
  let peers: Agent[] = [];
  let inject: DatagramHandler | undefined;
  /** Datagrams read from the real-UDP fuzzer's port, to pace it and to tell kernel loss from a miscount. */
  let fuzzPort = -1;
  let fuzzSeen = 0;

  beforeAll(async () => {
    // Limits off: this test is about what each packet does, the flood test about limits.
    target = createAgent(fastConfig('target'), {
      http: false,
      receiveLimits: { perSourceRatePerSec: 1e9, perSourceBurst: 1e9, strangersRatePerSec: 1e9, strangersBurst: 1e9 },
      openTransport: (options) => {
        inject = options.onDatagram;
        return openUdpTransport({
          ...options,
          onDatagram: (bytes, from, atMs) => {
            if (from.port === fuzzPort) fuzzSeen++;
            options.onDatagram(bytes, from, atMs);
          },
        });
      },
    });
    await target.start();
    for (const name of ['p1', 'p2']) {
      const peer = createAgent(fastConfig(name, { join: [target.boundAddresses.udp] }), { http: false });
      await peer.start();
      peers.push(peer);
    }
    expect(await waitFor(() => allAlive([target, ...peers]), 10_000)).toBe(true);
  });

  afterAll(async () => {
    await Promise.all([target, ...peers].map((agent) => agent.stop()));
    peers = [];
  });

  it(`${IN_PROCESS_PACKETS} mutated packets through the receive path: invalid ones dropped, counted, and inert`, async () => {
    const handler = inject;
    if (handler === undefined) throw new Error('transport not captured');
    const random = mulberry32(SEED);
    const perMutation = new Map<string, { valid: number; invalid: number }>();
    let valid = 0;
    let invalid = 0;
    let reachedCore = 0;
    for (let done = 0; done < IN_PROCESS_PACKETS; done += BATCH) {
      const batch: Array<{ bytes: Uint8Array; ok: boolean; label: string; from: Address }> = [];
      for (let i = 0; i < BATCH; i++) {
        const [label, mutate] = pick(random, MUTATIONS);
        const bytes = mutate(random, target.name);
        const ok = codec.decode(bytes).ok;
        const tally = perMutation.get(label) ?? { valid: 0, invalid: 0 };
        tally[ok ? 'valid' : 'invalid']++;
        perMutation.set(label, tally);
        batch.push({ bytes, ok, label, from: loopbackAddr(random) });
      }
      // Invalid packets as one run, between two looks at the table; then the valid ones.
      const before = fingerprint(target);
      for (const packet of batch.filter((p) => !p.ok)) {
        const drops = dropTotal(target);
        const received = target.protocol.stats.packetsReceived;
        handler(packet.bytes, packet.from, performance.now());
        if (dropTotal(target) !== drops + 1 || target.protocol.stats.packetsReceived !== received) {
          expect.fail(`seed ${SEED}: invalid packet (${packet.label}) not dropped exactly once: ${Buffer.from(packet.bytes).toString('hex').slice(0, 200)}`);
        }
        invalid++;
      }
      expect(fingerprint(target), `seed ${SEED}: the member table changed during a run of invalid packets`).toBe(before);
      for (const packet of batch.filter((p) => p.ok)) {
        const drops = dropTotal(target);
        const received = target.protocol.stats.packetsReceived;
        handler(packet.bytes, packet.from, performance.now());
        if (dropTotal(target) !== drops) expect.fail(`seed ${SEED}: a valid packet (${packet.label}) was dropped`);
        reachedCore += target.protocol.stats.packetsReceived - received;
        valid++;
      }
      // Let timers, peers and the socket run between batches, as they would under real load.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(valid + invalid).toBe(IN_PROCESS_PACKETS);
    expect(invalid).toBeGreaterThan(IN_PROCESS_PACKETS / 2);
    expect(reachedCore).toBe(valid);
    // Every kind of mutation produced drops (and the unmutated kind none).
    for (const [label, tally] of perMutation) {
      if (label === 'valid updates for unknown members') expect(tally.invalid, label).toBe(0);
      else expect(tally.invalid, label).toBeGreaterThan(0);
    }
    console.info(`hostile input: ${IN_PROCESS_PACKETS} packets in-process, ${invalid} invalid (all dropped and counted), ${valid} valid`, Object.fromEntries(perMutation));
  });

  it(`${UDP_PACKETS} more over real UDP: every invalid one is counted, and the cluster stays healthy`, async () => {
    const random = mulberry32(SEED ^ 0x5157);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const [host, port] = [target.boundAddresses.udp.split(':')[0] ?? '127.0.0.1', Number(target.boundAddresses.udp.split(':')[1])];
    fuzzPort = socket.address().port;
    const dropsBefore = dropTotal(target);
    let invalid = 0;
    try {
      for (let i = 0; i < UDP_PACKETS; i++) {
        const [, mutate] = pick(random, MUTATIONS);
        const bytes = mutate(random, target.name);
        if (!codec.decode(bytes).ok) invalid++;
        await new Promise<void>((resolve) => socket.send(bytes, port, host, () => resolve()));
        // Paced (at most 32 unread) so that the socket buffer never overflows: every datagram sent is read.
        if (i - fuzzSeen > 32) await waitFor(() => i - fuzzSeen <= 8, 5_000);
      }
      expect(await waitFor(() => fuzzSeen === UDP_PACKETS, 10_000), `read ${fuzzSeen} of ${UDP_PACKETS}`).toBe(true);
      expect(dropTotal(target) - dropsBefore).toBe(invalid);
    } finally {
      socket.close();
    }
    // Peers never send anything invalid, so nothing else was counted; and the three real agents
    // still see each other alive.
    expect(await waitFor(() => allAlive([target, ...peers]), 10_000)).toBe(true);
    console.info(`hostile input over UDP: ${UDP_PACKETS} packets, ${invalid} invalid, all counted; drops by reason`, target.drops);
  });
});
