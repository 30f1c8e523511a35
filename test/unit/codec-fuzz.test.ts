import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  DROP_REASONS,
  HEADER_BYTES,
  LIMITS,
  PACKET_OVERHEAD_BYTES,
  PROTOCOL_VERSION,
  clusterTag,
  createCodec,
  messageSize,
  packetOverheadBytes,
  validateMessage,
  validateTags,
} from '../../src/codec/index.js';
import type { MemberState, Message } from '../../src/protocol/messages.js';
import { MEMBER_STATUSES, incarnation, nodeName, seqNo, type NodeName } from '../../src/protocol/types.js';

/**
 * Seeded fuzzing: every run is the same run, and a failure names its seed and case so it can
 * be replayed. Override with CODEC_FUZZ_SEED=<n> to explore other inputs.
 */
const SEED = Number(process.env['CODEC_FUZZ_SEED'] ?? 0x5eed_c0de) >>> 0;
const CLUSTER = 'fuzz';
const codec = createCodec({ cluster: CLUSTER });
const rawPackr = new Packr({ useRecords: false, variableMapSize: true });

type Random = () => number;

/** mulberry32: small, fast, good enough to spread fuzz inputs. */
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

function int(random: Random, maxExclusive: number): number {
  return Math.floor(random() * maxExclusive);
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[int(random, items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function header(cluster = CLUSTER): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  bytes[0] = PROTOCOL_VERSION;
  new DataView(bytes.buffer).setUint32(1, clusterTag(cluster));
  return bytes;
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * What must hold for any input: no throw; a drop has a known reason; an accepted packet holds
 * only messages our own encoder accepts, and re-encoding them round-trips. Returns a failure
 * description, or null.
 */
function checkDecode(bytes: Uint8Array): string | null {
  let result;
  try {
    result = codec.decode(bytes);
  } catch (error) {
    return `decode threw ${String(error)}`;
  }
  if (!result.ok) {
    if (!DROP_REASONS.includes(result.reason)) return `unknown reason ${result.reason}`;
    // The pre-scan should leave nothing for msgpackr to choke on.
    if (result.error.startsWith('decoder error')) return `msgpackr threw past the scan: ${result.error}`;
    return null;
  }
  for (const message of result.value) {
    const problem = validateMessage(message);
    if (problem !== null) return `accepted an invalid message: ${problem}`;
  }
  const again = codec.decode(codec.encode(result.value));
  if (!again.ok || JSON.stringify(again.value) !== JSON.stringify(result.value)) {
    return 'accepted messages do not round-trip';
  }
  return null;
}

/** Runs `count` cases; fails once, with the seed, the case number and the input. */
function fuzz(label: string, count: number, makeInput: (random: Random, index: number) => Uint8Array): void {
  const random = mulberry32(SEED ^ clusterTag(label));
  for (let i = 0; i < count; i++) {
    const input = makeInput(random, i);
    const failure = checkDecode(input);
    if (failure !== null) {
      expect.fail(`${label}: seed ${SEED}, case ${i}: ${failure}; input ${hex(input).slice(0, 400)}`);
    }
  }
}

// ---- random valid messages -------------------------------------------------------------------

const CHARS = ['a', 'Z', '0', '-', '.', '_', 'é', 'ß', 'Ω', '東', '京', '€', '🚀', '𝄞'];
const encoder = new TextEncoder();
const charBytes = new Map<string, number>();

function utf8Bytes(char: string): number {
  let bytes = charBytes.get(char);
  if (bytes === undefined) {
    bytes = encoder.encode(char).length;
    charBytes.set(char, bytes);
  }
  return bytes;
}
const U32_EDGES = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];

function randomUint32(random: Random): number {
  return random() < 0.5 ? pick(random, U32_EDGES) : int(random, 0x1_0000_0000);
}

/** A string of at most `maxBytes` UTF-8 bytes, often near the msgpack header boundaries. */
function randomText(random: Random, minBytes: number, maxBytes: number, extra: readonly string[] = []): string {
  const targets = [minBytes, 31, 32, 33, 127, 128, maxBytes].filter((n) => n >= minBytes && n <= maxBytes);
  const target = random() < 0.5 ? pick(random, targets) : minBytes + int(random, maxBytes - minBytes + 1);
  let text = '';
  let bytes = 0;
  const pool = [...CHARS, ...extra];
  while (bytes < target) {
    const char = pick(random, pool);
    const size = utf8Bytes(char);
    if (bytes + size > maxBytes) {
      text += 'a';
      bytes += 1;
    } else {
      text += char;
      bytes += size;
    }
  }
  return text;
}

function randomName(random: Random): NodeName {
  return nodeName(randomText(random, 1, LIMITS.maxNameBytes));
}

function randomHost(random: Random): string {
  if (random() < 0.7) return pick(random, ['10.0.0.1', '::1', 'fe80::1%eth0', 'node-1.example.com', 'h']);
  const length = 1 + int(random, LIMITS.maxHostChars);
  let host = '';
  for (let i = 0; i < length; i++) host += String.fromCharCode(0x21 + int(random, 0x7e - 0x21 + 1));
  return host;
}

function randomAddr(random: Random): { host: string; port: number } {
  return { host: randomHost(random), port: 1 + int(random, LIMITS.maxPort) };
}

function randomTags(random: Random): Record<string, string> {
  const tags: Record<string, string> = {};
  const count = random() < 0.1 ? LIMITS.maxTagCount : int(random, 6);
  for (let i = 0; i < count; i++) {
    const key = random() < 0.05 ? '__proto__' : randomText(random, 1, count > 10 ? 2 : 40);
    const value = count > 10 ? '' : randomText(random, 0, 120, ['\n', '\t', '\u0000']);
    Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
  }
  // Trim until the whole map fits its byte budget.
  for (const key of Object.keys(tags)) {
    if (validateTags(tags) === null) break;
    Reflect.deleteProperty(tags, key);
  }
  return tags;
}

function randomMember(random: Random): MemberState {
  return {
    name: randomName(random),
    addr: randomAddr(random),
    incarnation: incarnation(randomUint32(random)),
    status: pick(random, MEMBER_STATUSES),
    tags: random() < 0.7 ? {} : randomTags(random),
  };
}

function randomMessage(random: Random): Message {
  switch (int(random, 20)) {
    case 0:
      return { type: 'ping', seq: seqNo(randomUint32(random)), target: randomName(random) };
    case 1:
      return { type: 'ack', seq: seqNo(randomUint32(random)) };
    case 2:
      return { type: 'nack', seq: seqNo(randomUint32(random)) };
    case 3:
      return {
        type: 'ping-req',
        seq: seqNo(randomUint32(random)),
        target: randomName(random),
        targetAddr: randomAddr(random),
        wantNack: random() < 0.5,
      };
    case 4:
      return {
        type: 'alive',
        name: randomName(random),
        incarnation: incarnation(randomUint32(random)),
        addr: randomAddr(random),
        tags: randomTags(random),
      };
    case 5:
      return { type: 'suspect', name: randomName(random), incarnation: incarnation(randomUint32(random)), from: randomName(random) };
    case 6:
      return { type: 'failed', name: randomName(random), incarnation: incarnation(randomUint32(random)), from: randomName(random) };
    case 7:
      return { type: 'left', name: randomName(random), incarnation: incarnation(randomUint32(random)) };
    case 8:
      return { type: 'sync', digest: randomUint32(random), members: randomUint32(random), join: random() < 0.5, nonce: randomUint32(random), cookie: randomUint32(random) };
    case 9:
      return random() < 0.5 ? { type: 'introduce' } : { type: 'state', full: random() < 0.5, members: Array.from({ length: int(random, 4) }, () => randomMember(random)) };
    case 10:
      return { type: 'challenge', nonce: randomUint32(random), cookie: randomUint32(random), members: randomUint32(random) };
    case 11:
      return { type: 'buckets', nonce: randomUint32(random), sums: Array.from({ length: 2 ** int(random, 9) }, () => randomUint32(random)) };
    case 12: {
      const bucketCount = 2 ** int(random, 9);
      const indices = Array.from({ length: bucketCount }, (_, i) => i).filter(() => random() < 0.3);
      return { type: 'pull', cookie: randomUint32(random), bucketCount, indices };
    }
    case 13:
      return {
        type: 'user-event',
        origin: randomName(random),
        epoch: randomUint32(random),
        seq: randomUint32(random),
        ltime: randomUint32(random),
        name: randomText(random, 1, LIMITS.maxEventNameBytes),
        payload: randomText(random, 0, LIMITS.maxUserEventPayloadBytes, ['\n', '\t']),
        coalesce: random() < 0.5,
      };
    case 14:
      return { type: 'event-clock', ltime: randomUint32(random) };
    case 15:
      return { type: 'forget', name: randomName(random), incarnation: incarnation(randomUint32(random)) };
    case 16:
      return {
        type: 'query',
        id: randomUint32(random),
        origin: randomName(random),
        replyTo: randomAddr(random),
        name: randomText(random, 1, LIMITS.maxEventNameBytes),
        payload: randomText(random, 0, 64),
        nodes: Array.from({ length: int(random, 3) }, () => randomName(random)),
        tags: int(random, 2) === 0 ? {} : { role: randomText(random, 0, 16) },
        timeoutMs: int(random, LIMITS.maxQueryTimeoutMs + 1),
      };
    case 17:
      return { type: 'query-ack', id: randomUint32(random), from: randomName(random) };
    case 18:
      return { type: 'query-response', id: randomUint32(random), from: randomName(random), payload: randomText(random, 0, 200, ['\n']) };
    default:
      return {
        type: 'state',
        full: random() < 0.5,
        members: Array.from({ length: int(random, 4) }, () => randomMember(random)),
      };
  }
}

/** A random list of valid messages that still fits one datagram. */
function randomMessages(random: Random): Message[] {
  const messages: Message[] = [];
  const wanted = random() < 0.2 ? 16 + int(random, 40) : 1 + int(random, 8);
  let bytes = PACKET_OVERHEAD_BYTES;
  while (messages.length < wanted) {
    const message = randomMessage(random);
    const size = messageSize(message);
    if (bytes + size > LIMITS.maxDatagramBytes) break;
    bytes += size;
    messages.push(message);
  }
  if (messages.length === 0) messages.push({ type: 'ack', seq: seqNo(0) });
  return messages;
}

// ---- random msgpack values -------------------------------------------------------------------

function randomValue(random: Random, depth: number): unknown {
  const choice = int(random, depth > 6 ? 8 : 11);
  switch (choice) {
    case 0:
      return randomUint32(random);
    case 1:
      return -int(random, 1000);
    case 2:
      return random() * 1e6;
    case 3:
      return random() < 0.5;
    case 4:
      return null;
    case 5:
      return randomText(random, 0, 40, ['\u0000', '\u007f', ' ']);
    case 6:
      return BigInt(randomUint32(random)) * 0x1_0000_0000n;
    case 7:
      return int(random, 16);
    case 8:
      return Array.from({ length: int(random, 7) }, () => randomValue(random, depth + 1));
    case 9:
      return new Map(Array.from({ length: int(random, 4) }, () => [randomValue(random, depth + 1), randomValue(random, depth + 1)]));
    default:
      return randomTuple(random, depth + 1);
  }
}

/** A tuple with a valid type code and random (sometimes valid) fields. */
function randomTuple(random: Random, depth: number): unknown[] {
  const valid = rawPackr.unpack(rawPackr.pack(tupleOf(randomMessage(random)))) as unknown;
  const tuple: unknown[] = Array.isArray(valid) ? [...(valid as readonly unknown[])] : [];
  const field = 1 + int(random, Math.max(1, tuple.length - 1));
  if (random() < 0.8) tuple[field] = randomValue(random, depth + 1);
  if (random() < 0.1) tuple.push(randomValue(random, depth + 1));
  return tuple;
}

/** Encode one message through the real codec and read its tuple back with msgpackr. */
function tupleOf(message: Message): unknown {
  const bytes = codec.encode([message]);
  const list = rawPackr.unpack(bytes.subarray(HEADER_BYTES)) as unknown;
  return Array.isArray(list) ? (list as readonly unknown[])[0] : undefined;
}

// ---- tests -----------------------------------------------------------------------------------

describe(`codec fuzz (seed ${SEED})`, () => {
  it('round-trips random valid messages, sized exactly', () => {
    const random = mulberry32(SEED);
    for (let i = 0; i < 800; i++) {
      const messages = randomMessages(random);
      const bytes = codec.encode(messages);
      const sum = messages.reduce((total, message) => total + messageSize(message), 0);
      const where = `seed ${SEED}, case ${i}`;
      expect(bytes.length, where).toBe(packetOverheadBytes(messages.length) + sum);
      expect(bytes.length, where).toBeLessThanOrEqual(PACKET_OVERHEAD_BYTES + sum);
      expect(codec.decode(bytes), where).toEqual({ ok: true, value: messages });
    }
  });

  it('never throws on 20,000 random buffers', () => {
    const tokens = [0x90, 0x91, 0x93, 0x96, 0xdc, 0xdd, 0x80, 0x81, 0xde, 0xdf, 0xa3, 0xd9, 0xda, 0xdb, 0xce, 0xcf, 0xc3];
    fuzz('random buffers', 20_000, (random, i) => {
      const length = int(random, 300);
      const body = new Uint8Array(length);
      for (let j = 0; j < length; j++) {
        // Bias toward msgpack structure bytes so the scan and msgpackr get exercised deeply.
        body[j] = random() < 0.3 ? pick(random, tokens) : int(random, 256);
      }
      switch (i % 4) {
        case 0:
          return body; // no header at all: mostly version / cluster drops
        case 1:
          return concat(header(), body);
        default:
          return concat(header(), Uint8Array.of(0x91 + int(random, 4)), body);
      }
    });
  });

  it('never throws on random msgpack values and half-valid tuples', () => {
    fuzz('random values', 6_000, (random) => {
      const list = Array.from({ length: 1 + int(random, 5) }, () =>
        random() < 0.6 ? randomTuple(random, 1) : randomValue(random, 1),
      );
      return concat(header(), rawPackr.pack(list));
    });
  });

  it('never throws on bit flips of valid packets', () => {
    const random = mulberry32(SEED + 1);
    // Small packets, so that every bit of each one gets flipped.
    const packets: Uint8Array[] = [];
    while (packets.length < 6) {
      const packet = codec.encode(randomMessages(random));
      if (packet.length <= 300) packets.push(packet);
    }
    fuzz('single bit flips', packets.reduce((total, packet) => total + packet.length * 8, 0), (_r, i) => {
      let index = i;
      for (const packet of packets) {
        const bits = packet.length * 8;
        if (index < bits) {
          const copy = Uint8Array.from(packet);
          copy[index >> 3] = (copy[index >> 3] ?? 0) ^ (1 << (index & 7));
          return copy;
        }
        index -= bits;
      }
      throw new Error('unreachable');
    });
    fuzz('multi-byte corruption', 5_000, (r) => {
      const copy = Uint8Array.from(pick(r, packets));
      const flips = 1 + int(r, 6);
      for (let j = 0; j < flips; j++) {
        const at = HEADER_BYTES + int(r, copy.length - HEADER_BYTES);
        copy[at] = int(r, 256);
      }
      return copy;
    });
  });

  it('never yields a string that cannot round-trip from invalid UTF-8 on the wire', () => {
    // A tag value whose bytes are a CESU-8 surrogate, a truncated sequence and an overlong form.
    for (const bad of ['eda080', 'e282', 'c0af', 'f4908080', 'ff']) {
      const value = Uint8Array.from(Buffer.from(bad, 'hex'));
      const body = concat(
        Uint8Array.of(0x91, 0x96, 0x04, 0xa1, 0x6e, 0x01, 0xa1, 0x68, 0x01, 0x81, 0xa1, 0x6b, 0xa0 | value.length),
        value,
      );
      const input = concat(header(), body);
      expect(checkDecode(input), bad).toBeNull();
    }
  });
});
