import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  tagsEncodedBytes,
  validateHost,
  validateMessage,
  validateName,
  validatePort,
  validateTags,
} from '../../src/codec/index.js';
import { scanBody } from '../../src/codec/scan.js';
import type { Alive, MemberState, Message } from '../../src/protocol/messages.js';
import { incarnation, nodeName, seqNo, type Incarnation, type NodeName, type SeqNo, type Tags } from '../../src/protocol/types.js';

const CLUSTER = 'test-cluster';
const codec = createCodec({ cluster: CLUSTER });
const U32_MAX = 0xffff_ffff;

/** An independent msgpack writer for hand-made (often invalid) packets. */
const rawPackr = new Packr({ useRecords: false, variableMapSize: true });

function withHeader(body: Uint8Array, version = PROTOCOL_VERSION, cluster = CLUSTER): Uint8Array {
  const packet = new Uint8Array(HEADER_BYTES + body.length);
  packet[0] = version;
  new DataView(packet.buffer).setUint32(1, clusterTag(cluster));
  packet.set(body, HEADER_BYTES);
  return packet;
}

function rawPacket(value: unknown): Uint8Array {
  return withHeader(rawPackr.pack(value));
}

function hexBody(hex: string): Uint8Array {
  return withHeader(Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16)));
}

function dropOf(bytes: Uint8Array): { reason: string; error: string } {
  const result = codec.decode(bytes);
  if (result.ok) throw new Error(`expected a drop, decoded ${JSON.stringify(result.value)}`);
  return { reason: result.reason, error: result.error };
}

function alive(overrides: Partial<Alive> = {}): Alive {
  return {
    type: 'alive',
    name: nodeName('node-00001'),
    incarnation: incarnation(1_712_345_678),
    addr: { host: '10.0.0.12', port: 7946 },
    tags: { role: 'web' },
    ...overrides,
  };
}

function member(overrides: Partial<MemberState> = {}): MemberState {
  return {
    name: nodeName('node-00002'),
    addr: { host: '10.0.0.13', port: 7946 },
    incarnation: incarnation(7),
    status: 'alive',
    tags: {},
    ...overrides,
  };
}

/** A tags object that really owns the keys, `__proto__` included (a literal would set the prototype). */
function ownTags(entries: readonly (readonly [string, string])[]): Tags {
  return Object.fromEntries(entries);
}

const manyTags = ownTags(Array.from({ length: LIMITS.maxTagCount }, (_, i) => [`k${i}`, 'v'] as const));

const ROUND_TRIP: readonly (readonly [string, Message])[] = [
  ['ping', { type: 'ping', seq: seqNo(1), target: nodeName('node-00001') }],
  ['ping u32 max seq', { type: 'ping', seq: seqNo(U32_MAX), target: nodeName('n') }],
  ['ping unicode target', { type: 'ping', seq: seqNo(0), target: nodeName('nœud-東京-🚀') }],
  ['ack seq 0', { type: 'ack', seq: seqNo(0) }],
  ['ack u32 max', { type: 'ack', seq: seqNo(U32_MAX) }],
  ['nack', { type: 'nack', seq: seqNo(65_536) }],
  [
    'ping-req wantNack',
    {
      type: 'ping-req',
      seq: seqNo(42),
      target: nodeName('node-00003'),
      targetAddr: { host: '10.0.0.14', port: 7946 },
      wantNack: true,
    },
  ],
  [
    'ping-req IPv6, extreme port',
    {
      type: 'ping-req',
      seq: seqNo(U32_MAX),
      target: nodeName('x'),
      targetAddr: { host: 'fe80::1%eth0', port: 65_535 },
      wantNack: false,
    },
  ],
  ['alive', alive()],
  ['alive no tags, port 1, incarnation 0', alive({ tags: {}, incarnation: incarnation(0), addr: { host: 'h', port: 1 } })],
  ['alive u32 max incarnation', alive({ incarnation: incarnation(U32_MAX) })],
  ['alive unicode tags', alive({ tags: { zone: 'eu-west-1a', 'región': 'São Paulo 🌎', empty: '', multi: 'a\nb\tc' } })],
  ['alive 64 tags', alive({ tags: manyTags })],
  ['alive awkward tag keys', alive({ tags: ownTags([['__proto__', 'x'], ['toJSON', 'y'], ['constructor', 'z'], ['0', 'n']]) })],
  ['alive 128-byte multibyte name', alive({ name: nodeName('é'.repeat(64)) })],
  ['alive 253-char host', alive({ addr: { host: 'h'.repeat(253), port: 80 } })],
  ['suspect', { type: 'suspect', name: nodeName('node-00001'), incarnation: incarnation(3), from: nodeName('node-00002') }],
  ['failed', { type: 'failed', name: nodeName('node-00001'), incarnation: incarnation(U32_MAX), from: nodeName('🚀') }],
  ['left', { type: 'left', name: nodeName('node-00001'), incarnation: incarnation(9) }],
  ['sync', { type: 'sync', digest: U32_MAX, members: 0, join: true }],
  ['sync no join', { type: 'sync', digest: 0, members: U32_MAX, join: false }],
  ['state empty', { type: 'state', full: false, members: [] }],
  [
    'state every status',
    {
      type: 'state',
      full: true,
      members: [
        member({ status: 'alive', tags: { role: 'db' } }),
        member({ name: nodeName('b'), status: 'suspect' }),
        member({ name: nodeName('c'), status: 'failed', incarnation: incarnation(U32_MAX) }),
        member({ name: nodeName('d'), status: 'left', addr: { host: '::1', port: 1 } }),
      ],
    },
  ],
  [
    'user-event',
    { type: 'user-event', origin: nodeName('n1'), epoch: U32_MAX, seq: 7, ltime: 300, name: 'deploy', payload: 'v42\nline two ü', coalesce: false },
  ],
  [
    'user-event at the limits',
    {
      type: 'user-event',
      origin: nodeName('é'.repeat(64)),
      epoch: 0,
      seq: 0,
      ltime: U32_MAX,
      name: 'n'.repeat(LIMITS.maxEventNameBytes),
      payload: 'é'.repeat(LIMITS.maxUserEventPayloadBytes / 2),
      coalesce: true,
    },
  ],
  ['user-event empty payload', { type: 'user-event', origin: nodeName('a'), epoch: 1, seq: 1, ltime: 0, name: 'x', payload: '', coalesce: false }],
  ['event-clock', { type: 'event-clock', ltime: U32_MAX }],
  ['forget', { type: 'forget', name: nodeName('gone'), incarnation: incarnation(5) }],
  [
    'query',
    {
      type: 'query',
      id: U32_MAX,
      origin: nodeName('asker'),
      replyTo: { host: '10.0.0.1', port: 7946 },
      name: 'version',
      payload: 'p',
      nodes: [nodeName('a'), nodeName('b')],
      tags: { role: 'web' },
      timeoutMs: LIMITS.maxQueryTimeoutMs,
    },
  ],
  [
    'query no filters',
    { type: 'query', id: 0, origin: nodeName('asker'), replyTo: { host: '::1', port: 1 }, name: 'q', payload: '', nodes: [], tags: {}, timeoutMs: 1 },
  ],
  ['query-ack', { type: 'query-ack', id: 9, from: nodeName('b') }],
  ['query-response', { type: 'query-response', id: 9, from: nodeName('b'), payload: 'x'.repeat(LIMITS.maxQueryResponseBytes) }],
  [
    'state 255 members',
    {
      type: 'state',
      full: false,
      members: Array.from({ length: LIMITS.maxStateMembersPerPacket }, (_, i) => member({ name: nodeName(`m${i}`) })),
    },
  ],
];

describe('codec round trip', () => {
  it.each(ROUND_TRIP)('%s', (_label, message) => {
    const bytes = codec.encode([message]);
    expect(codec.decode(bytes)).toEqual({ ok: true, value: [message] });
    expect(bytes.length).toBe(packetOverheadBytes(1) + messageSize(message));
  });

  it('round-trips a compound packet of every message type, sized exactly', () => {
    const messages = ROUND_TRIP.map(([, message]) => message).filter((m) => m.type !== 'state' || m.members.length < 10);
    expect(messages.length).toBeGreaterThan(15); // exercises the array16 header
    const bytes = codec.encode(messages);
    expect(codec.decode(bytes)).toEqual({ ok: true, value: messages });
    const sum = messages.reduce((total, m) => total + messageSize(m), 0);
    expect(bytes.length).toBe(packetOverheadBytes(messages.length) + sum);
    expect(bytes.length).toBeLessThanOrEqual(PACKET_OVERHEAD_BYTES + sum);
  });

  it('carries 255 messages, the most a packet may hold', () => {
    const messages = Array.from({ length: LIMITS.maxMessagesPerPacket }, (_, i): Message => ({ type: 'ack', seq: seqNo(i) }));
    const bytes = codec.encode(messages);
    expect(codec.decode(bytes)).toEqual({ ok: true, value: messages });
    expect(bytes.length).toBe(PACKET_OVERHEAD_BYTES + messages.reduce((t, m) => t + messageSize(m), 0));
  });

  it('sizes integers and strings exactly at every msgpack header boundary', () => {
    for (const n of [0, 127, 128, 255, 256, 65_535, 65_536, U32_MAX]) {
      for (const message of [{ type: 'ack', seq: seqNo(n) }, alive({ incarnation: incarnation(n) })] satisfies Message[]) {
        expect(codec.encode([message]).length, `value ${n}`).toBe(packetOverheadBytes(1) + messageSize(message));
      }
    }
    for (const bytes of [0, 31, 32, 255, 256, 500]) {
      const tags = { k: 'v'.repeat(bytes) };
      const message = alive({ tags });
      expect(codec.encode([message]).length, `value of ${bytes} bytes`).toBe(packetOverheadBytes(1) + messageSize(message));
      expect(tagsEncodedBytes(tags)).toBe(rawPackr.pack(new Map(Object.entries(tags))).length);
    }
    expect(tagsEncodedBytes({})).toBe(1);
    expect(tagsEncodedBytes(manyTags)).toBe(rawPackr.pack(new Map(Object.entries(manyTags))).length);
  });

  it('decodes tags into plain objects with a __proto__ key as an own property', () => {
    const result = codec.decode(rawPacket([[4, 'n', 1, 'h', 1, new Map([['__proto__', 'polluted']])]]));
    expect(result.ok).toBe(true);
    const message = result.ok ? result.value[0] : undefined;
    const tags = message?.type === 'alive' ? message.tags : undefined;
    expect(tags && Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(tags && Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).toBe('polluted');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a __proto__ tag whose value is an object, and pollutes nothing', () => {
    const drop = dropOf(rawPacket([[4, 'n', 1, 'h', 1, new Map([['__proto__', new Map([['polluted', 'yes']])]])]]));
    expect(drop.reason).toBe('invalid-message');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('packet header', () => {
  it('hashes cluster names with FNV-1a 32 over UTF-8', () => {
    expect(clusterTag('')).toBe(0x811c9dc5);
    expect(clusterTag('a')).toBe(0xe40c292c);
    expect(clusterTag('foobar')).toBe(0xbf9cf968);
    const utf8 = new TextEncoder().encode('été-🚀');
    let hash = 0x811c9dc5;
    for (const byte of utf8) hash = Math.imul(hash ^ byte, 0x01000193);
    expect(clusterTag('été-🚀')).toBe(hash >>> 0);
  });

  it('starts with the version byte and the big-endian cluster tag', () => {
    const bytes = codec.encode([{ type: 'ack', seq: seqNo(1) }]);
    expect(bytes[0]).toBe(PROTOCOL_VERSION);
    expect(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1)).toBe(clusterTag(CLUSTER));
    expect(codec.cluster).toBe(CLUSTER);
  });

  it('drops packets of another cluster', () => {
    const other = createCodec({ cluster: 'other' }).encode([{ type: 'ack', seq: seqNo(1) }]);
    expect(dropOf(other).reason).toBe('wrong-cluster');
  });

  it('drops packets of another protocol version', () => {
    const bytes = Uint8Array.from(codec.encode([{ type: 'ack', seq: seqNo(1) }]));
    for (const version of [0, 2, 255]) {
      bytes[0] = version;
      expect(dropOf(bytes)).toEqual({ reason: 'bad-version', error: `protocol version ${version} (expected 1)` });
    }
  });

  it('drops datagrams shorter than a header and one byte', () => {
    for (let length = 0; length < LIMITS.minDatagramBytes; length++) {
      expect(dropOf(new Uint8Array(length)).reason, `length ${length}`).toBe('too-short');
    }
  });

  it(`drops datagrams over ${LIMITS.maxDatagramBytes} bytes before parsing them`, () => {
    const big = withHeader(new Uint8Array(LIMITS.maxDatagramBytes + 1 - HEADER_BYTES));
    expect(dropOf(big)).toEqual({ reason: 'too-large', error: '9217 bytes (max 9216)' });
    const atLimit = withHeader(new Uint8Array(LIMITS.maxDatagramBytes - HEADER_BYTES));
    expect(dropOf(atLimit).reason).not.toBe('too-large');
  });
});

describe('malformed packets', () => {
  const valid = codec.encode([
    { type: 'ping', seq: seqNo(70_000), target: nodeName('node-00001') },
    alive({ tags: { role: 'web', zone: 'eu' } }),
    { type: 'state', full: true, members: [member(), member({ name: nodeName('z'), status: 'left' })] },
  ]);

  it('rejects every proper prefix of a valid packet, never throwing', () => {
    for (let length = 0; length < valid.length; length++) {
      const result = codec.decode(valid.subarray(0, length));
      expect(result.ok, `prefix of ${length} bytes`).toBe(false);
      if (!result.ok) expect(['too-short', 'malformed']).toContain(result.reason);
    }
    expect(codec.decode(valid).ok).toBe(true);
  });

  it('decodes a packet that sits inside a larger buffer (as dgram hands out pooled Buffers)', () => {
    const pool = new Uint8Array(valid.length + 64).fill(0xff);
    pool.set(valid, 32);
    expect(codec.decode(pool.subarray(32, 32 + valid.length))).toEqual(codec.decode(valid));
    expect(codec.decode(Buffer.from(pool.buffer, 32, valid.length)).ok).toBe(true);
    expect(dropOf(pool.subarray(32, 31 + valid.length)).reason).toBe('malformed');
  });

  it('rejects trailing bytes', () => {
    const longer = new Uint8Array(valid.length + 1);
    longer.set(valid);
    expect(dropOf(longer)).toEqual({ reason: 'malformed', error: '1 trailing bytes after the message array' });
    expect(dropOf(withHeader(Uint8Array.from([...rawPackr.pack([[1, 1]]), ...rawPackr.pack([[1, 2]])]))).reason).toBe(
      'malformed',
    );
  });

  it.each([
    ['a map', new Map([['a', 1]])],
    ['an integer', 7],
    ['a string', 'ping'],
    ['nil', null],
    ['an empty array', []],
  ])('rejects a body that is %s', (_label, value) => {
    expect(dropOf(rawPacket(value)).reason).toBe('malformed');
  });

  it('rejects more than 255 messages', () => {
    const tooMany = Array.from({ length: LIMITS.maxMessagesPerPacket + 1 }, () => [1, 1]);
    expect(dropOf(rawPacket(tooMany))).toEqual({ reason: 'too-many-messages', error: '256 messages (max 255)' });
    // An array32 header claiming 4 G messages is refused on its count alone.
    expect(dropOf(hexBody('ddffffffff01'))).toEqual({ reason: 'too-many-messages', error: '4294967295 messages (max 255)' });
  });

  it.each([
    ['str32 claiming 4 GB', '9193a0dbffffffff61'],
    ['array32 claiming 4 GB inside a message', '91ddffffffff01'],
    ['map32 claiming 4 GB', '919204dfffffffff'],
    ['str16 past the end', '9193a0da0100'],
  ])('rejects %s quickly', (_label, hex) => {
    expect(dropOf(hexBody(hex)).reason).toBe('malformed');
  });

  it.each([
    ['bin32 claiming 4 GB', '9192c6ffffffff01', 'bin 32'],
    ['ext32 claiming 4 GB', '9192c9ffffffff01', 'ext 32'],
    ['a msgpackr record definition', '9192d47240', 'fixext 1'],
    ['a msgpack timestamp (Date)', '9192d6ff00000000', 'fixext 4'],
    ['the never-used byte', '9192c101', 'never-used byte'],
  ])('rejects %s as an unsupported type', (_label, hex, name) => {
    const drop = dropOf(hexBody(hex));
    expect(drop.reason).toBe('invalid-message');
    expect(drop.error).toContain(name);
  });

  it('rejects 100,000 nested arrays without recursing', () => {
    const nested = new Uint8Array(100_000).fill(0x91);
    expect(dropOf(withHeader(nested)).reason).toBe('too-large');
    // The scan itself is iterative: unbounded depth costs it nothing.
    expect(scanBody(nested, 0)?.reason).toBe('invalid-message');
    const withinLimit = new Uint8Array(LIMITS.maxDatagramBytes - HEADER_BYTES).fill(0x91);
    expect(dropOf(withHeader(withinLimit))).toEqual({
      reason: 'invalid-message',
      error: 'message 0: nested deeper than 5 levels',
    });
    expect(codec.decode(valid).ok).toBe(true);
  });

  it('accepts the deepest nesting the format uses and no deeper', () => {
    // packet › state › members › member › tags is 5 levels; a 6th is refused.
    expect(codec.decode(rawPacket([[9, true, [['n', 'h', 1, 0, 0, new Map([['k', 'v']])]]]])).ok).toBe(true);
    const drop = dropOf(rawPacket([[9, true, [['n', 'h', 1, 0, 0, new Map([['k', []]])]]]]));
    expect(drop.error).toBe('message 0: nested deeper than 5 levels');
  });
});

describe('invalid messages', () => {
  const big = 'a'.repeat(129);
  const cases: readonly (readonly [string, unknown, string])[] = [
    ['message not an array', 5, 'message 0 must be an array, got number'],
    ['unknown type code', [127, 1], 'message 0: unknown type code 127'],
    ['unknown type code past the last', [22, 1], 'message 0: unknown type code 22'],
    [
      'user-event payload one byte over',
      [16, 'n', 1, 1, 1, 'e', 'p'.repeat(LIMITS.maxUserEventPayloadBytes + 1), false],
      `message 0 (user-event): payload is ${LIMITS.maxUserEventPayloadBytes + 1} UTF-8 bytes (max ${LIMITS.maxUserEventPayloadBytes})`,
    ],
    [
      'user-event name one byte over',
      [16, 'n', 1, 1, 1, 'e'.repeat(LIMITS.maxEventNameBytes + 1), '', false],
      `message 0 (user-event): name is ${LIMITS.maxEventNameBytes + 1} UTF-8 bytes (max ${LIMITS.maxEventNameBytes})`,
    ],
    ['user-event name empty', [16, 'n', 1, 1, 1, '', '', false], 'message 0 (user-event): name is empty'],
    ['user-event name control', [16, 'n', 1, 1, 1, 'a\u0007', '', false], 'message 0 (user-event): name contains control character U+0007 at index 1'],
    ['user-event coalesce not boolean', [16, 'n', 1, 1, 1, 'e', '', 1], 'message 0 (user-event): coalesce must be a boolean, got 1'],
    ['user-event seq negative', [16, 'n', 1, -1, 1, 'e', '', false], 'message 0 (user-event): seq -1 out of range 0..4294967295'],
    ['forget incarnation float', [18, 'n', 1.5], 'message 0 (forget): incarnation 1.5 is not an integer'],
    [
      'query 17 nodes',
      [19, 1, 'o', 'h', 1, 'q', '', Array.from({ length: 17 }, (_, i) => `n${i}`), new Map(), 1],
      'message 0 (query): nodes has 17 entries (max 16)',
    ],
    ['query timeout over', [19, 1, 'o', 'h', 1, 'q', '', [], new Map(), LIMITS.maxQueryTimeoutMs + 1], `message 0 (query): timeoutMs ${LIMITS.maxQueryTimeoutMs + 1} above ${LIMITS.maxQueryTimeoutMs}`],
    ['query payload over', [19, 1, 'o', 'h', 1, 'q', 'p'.repeat(LIMITS.maxQueryPayloadBytes + 1), [], new Map(), 1], `message 0 (query): payload is ${LIMITS.maxQueryPayloadBytes + 1} UTF-8 bytes (max ${LIMITS.maxQueryPayloadBytes})`],
    ['query tags not a map', [19, 1, 'o', 'h', 1, 'q', '', [], [], 1], 'message 0 (query): tags must be a map, got array'],
    ['query bad node', [19, 1, 'o', 'h', 1, 'q', '', ['ok', ''], new Map(), 1], 'message 0 (query): nodes[1] is empty'],
    [
      'query-response payload over',
      [21, 1, 'n', 'x'.repeat(LIMITS.maxQueryResponseBytes + 1)],
      `message 0 (query-response): payload is ${LIMITS.maxQueryResponseBytes + 1} UTF-8 bytes (max ${LIMITS.maxQueryResponseBytes})`,
    ],
    ['negative type code', [-1, 1], 'message 0: unknown type code -1'],
    ['string type code', ['ping', 1, 'n'], 'message 0: unknown type code "ping"'],
    ['extra element', [2, 1, 'extra'], 'message 0 (nack): expected 2 elements, got 3'],
    ['element past the optional coordinate', [0, 1, 'n', null, 'extra'], 'message 0 (ping): expected 3 to 4 elements, got 5'],
    ['missing element', [1], 'message 0 (ack): expected 2 to 3 elements, got 1'],
    ['seq negative', [1, -1], 'message 0 (ack): seq -1 out of range 0..4294967295'],
    ['seq 2^32', [1, 2 ** 32], 'message 0 (ack): seq 4294967296 out of range 0..4294967295'],
    ['seq float', [2, 1.5], 'message 0 (nack): seq 1.5 is not an integer'],
    ['seq string', [1, '1'], 'message 0 (ack): seq must be an unsigned integer, got "1"'],
    ['seq uint64', [1, 2n ** 64n - 1n], 'message 0 (ack): seq must be an unsigned integer, got 18446744073709551615n'],
    ['seq nil', [1, null], 'message 0 (ack): seq must be an unsigned integer, got nil'],
    ['target empty', [0, 1, ''], 'message 0 (ping): target is empty'],
    ['target 129 bytes', [0, 1, big], 'message 0 (ping): target is 129 UTF-8 bytes (max 128)'],
    ['target 130 multibyte bytes', [0, 1, 'é'.repeat(65)], 'message 0 (ping): target is 130 UTF-8 bytes (max 128)'],
    ['target NUL', [0, 1, 'a\u0000'], 'message 0 (ping): target contains control character U+0000 at index 1'],
    ['target U+001F', [0, 1, '\u001fa'], 'message 0 (ping): target contains control character U+001F at index 0'],
    ['target DEL', [0, 1, 'a\u007f'], 'message 0 (ping): target contains control character U+007F at index 1'],
    ['target number', [0, 1, 5], 'message 0 (ping): target must be a string, got 5'],
    ['ping-req host empty', [3, 1, 'n', '', 1, true], 'message 0 (ping-req): host is empty'],
    ['ping-req host 254', [3, 1, 'n', 'h'.repeat(254), 1, true], 'message 0 (ping-req): host is 254 characters (max 253)'],
    [
      'ping-req host space',
      [3, 1, 'n', 'a b', 1, true],
      'message 0 (ping-req): host contains whitespace, control or non-ASCII character U+0020 at index 1',
    ],
    [
      'ping-req host tab',
      [3, 1, 'n', 'a\tb', 1, true],
      'message 0 (ping-req): host contains whitespace, control or non-ASCII character U+0009 at index 1',
    ],
    [
      'ping-req host non-ASCII',
      [3, 1, 'n', 'hé', 1, true],
      'message 0 (ping-req): host contains whitespace, control or non-ASCII character U+00E9 at index 1',
    ],
    ['ping-req port 0', [3, 1, 'n', 'h', 0, true], 'message 0 (ping-req): port 0 out of range 1..65535'],
    ['ping-req port 65536', [3, 1, 'n', 'h', 65_536, true], 'message 0 (ping-req): port 65536 out of range 1..65535'],
    ['ping-req port string', [3, 1, 'n', 'h', '80', true], 'message 0 (ping-req): port must be an integer, got "80"'],
    ['ping-req wantNack 1', [3, 1, 'n', 'h', 1, 1], 'message 0 (ping-req): wantNack must be a boolean, got 1'],
    ['alive name 129', [4, big, 1, 'h', 1, new Map()], 'message 0 (alive): name is 129 UTF-8 bytes (max 128)'],
    ['alive incarnation 2^32', [4, 'n', 2 ** 32, 'h', 1, new Map()], 'message 0 (alive): incarnation 4294967296 out of range 0..4294967295'],
    ['alive port float', [4, 'n', 1, 'h', 80.5, new Map()], 'message 0 (alive): port 80.5 is not an integer'],
    ['alive tags array', [4, 'n', 1, 'h', 1, []], 'message 0 (alive): tags must be a map, got array'],
    ['alive tags string', [4, 'n', 1, 'h', 1, 'role=web'], 'message 0 (alive): tags must be a map, got string'],
    [
      'alive 65 tags',
      [4, 'n', 1, 'h', 1, new Map(Array.from({ length: 65 }, (_, i) => [`k${i}`, ''] as const))],
      'message 0 (alive): tags has 65 keys (max 64)',
    ],
    ['alive tag key empty', [4, 'n', 1, 'h', 1, new Map([['', 'v']])], 'message 0 (alive): tag key "" is empty'],
    [
      'alive tag key 129 bytes',
      [4, 'n', 1, 'h', 1, new Map([[big, 'v']])],
      `message 0 (alive): tag key "${'a'.repeat(32)}…" is 129 UTF-8 bytes (max 128)`,
    ],
    [
      'alive tag key newline',
      [4, 'n', 1, 'h', 1, new Map([['a\nb', 'v']])],
      'message 0 (alive): tag key "a\\nb" contains control character U+000A at index 1',
    ],
    ['alive tag key number', [4, 'n', 1, 'h', 1, new Map([[1, 'v']])], 'message 0 (alive): tag key must be a string, got 1'],
    [
      'alive tag value number',
      [4, 'n', 1, 'h', 1, new Map([['k', 1]])],
      'message 0 (alive): tag "k" value must be a string, got 1',
    ],
    [
      'alive tag value 513 bytes',
      [4, 'n', 1, 'h', 1, new Map([['k', 'v'.repeat(513)]])],
      'message 0 (alive): tag "k" value is 513 UTF-8 bytes (max 512)',
    ],
    [
      'alive tags over 512 bytes in total',
      [4, 'n', 1, 'h', 1, new Map([['a', 'v'.repeat(200)], ['b', 'v'.repeat(200)], ['c', 'v'.repeat(100)]])],
      'message 0 (alive): tags encode to 513 bytes (max 512)',
    ],
    ['suspect from empty', [5, 'n', 1, ''], 'message 0 (suspect): from is empty'],
    ['failed incarnation -1', [6, 'n', -1, 'm'], 'message 0 (failed): incarnation -1 out of range 0..4294967295'],
    ['left name nil', [7, null, 1], 'message 0 (left): name must be a string, got nil'],
    ['sync digest 2^32', [8, 2 ** 32, 1, true], 'message 0 (sync): digest 4294967296 out of range 0..4294967295'],
    ['sync members -1', [8, 1, -1, true], 'message 0 (sync): members -1 out of range 0..4294967295'],
    ['sync join string', [8, 1, 1, 'true'], 'message 0 (sync): join must be a boolean, got "true"'],
    ['state full nil', [9, null, []], 'message 0 (state): full must be a boolean, got nil'],
    ['state members map', [9, true, new Map()], 'message 0 (state): members must be an array, got map'],
    [
      'state 256 members',
      [9, true, Array.from({ length: 256 }, () => ['n', 'h', 1, 0, 0, new Map()])],
      'message 0 (state): 256 members (max 255)',
    ],
    ['state member not array', [9, true, ['n']], 'message 0 (state): member 0: must be an array, got string'],
    ['state member short', [9, true, [['n', 'h', 1, 0, 0]]], 'message 0 (state): member 0: expected 6 elements, got 5'],
    ['state status 4', [9, true, [['n', 'h', 1, 0, 4, new Map()]]], 'message 0 (state): member 0: unknown status code 4'],
    [
      'state status string',
      [9, true, [['n', 'h', 1, 0, 'alive', new Map()]]],
      'message 0 (state): member 0: unknown status code "alive"',
    ],
    [
      'state member port',
      [9, true, [['n', 'h', 1, 0, 0, new Map()], ['m', 'h', 0, 0, 0, new Map()]]],
      'message 0 (state): member 1: port 0 out of range 1..65535',
    ],
    [
      'state member incarnation',
      [9, true, [['n', 'h', 1, 2 ** 32, 0, new Map()]]],
      'message 0 (state): member 0: incarnation 4294967296 out of range 0..4294967295',
    ],
    [
      'state member name',
      [9, true, [['\u0007', 'h', 1, 0, 0, new Map()]]],
      'message 0 (state): member 0: name contains control character U+0007 at index 0',
    ],
  ];

  it.each(cases)('%s', (_label, tuple, error) => {
    expect(dropOf(rawPacket([tuple]))).toEqual({ reason: 'invalid-message', error });
  });

  it('rejects the whole packet for one bad message, naming it', () => {
    const packet = rawPacket([[0, 1, 'a'], [1, 1], [4, 'n', 1, 'h', 70_000, new Map()]]);
    expect(dropOf(packet)).toEqual({ reason: 'invalid-message', error: 'message 2 (alive): port 70000 out of range 1..65535' });
  });
});

describe('encode', () => {
  it('throws on an empty list or more than 255 messages', () => {
    expect(() => codec.encode([])).toThrow(RangeError);
    const tooMany = Array.from({ length: 256 }, (): Message => ({ type: 'ack', seq: seqNo(1) }));
    expect(() => codec.encode(tooMany)).toThrow(RangeError);
  });

  const invalid: readonly (readonly [string, Message, string])[] = [
    ['seq 2^32', { type: 'ack', seq: 2 ** 32 as unknown as SeqNo }, 'seq 4294967296 out of range'],
    [
      'negative incarnation',
      { type: 'left', name: nodeName('n'), incarnation: -1 as unknown as Incarnation },
      'incarnation -1 out of range',
    ],
    ['empty name', alive({ name: '' as unknown as NodeName }), 'name is empty'],
    ['name 129 bytes', alive({ name: 'a'.repeat(129) as unknown as NodeName }), 'name is 129 UTF-8 bytes'],
    ['port 0', alive({ addr: { host: 'h', port: 0 } }), 'port 0 out of range'],
    ['host with space', alive({ addr: { host: 'a b', port: 1 } }), 'host contains whitespace'],
    ['tags too big', alive({ tags: { k: 'v'.repeat(600) } }), 'tag "k" value is 600 UTF-8 bytes'],
    [
      'from with control char',
      { type: 'suspect', name: nodeName('n'), incarnation: incarnation(1), from: 'a\u0001' as unknown as NodeName },
      'from contains control',
    ],
    ['sync members float', { type: 'sync', digest: 1, members: 0.5, join: false }, 'members 0.5 is not an integer'],
    [
      'state with 256 members',
      { type: 'state', full: false, members: Array.from({ length: 256 }, () => member()) },
      '256 members (max 255)',
    ],
    [
      'state member status',
      { type: 'state', full: false, members: [member({ status: 'gone' as unknown as MemberState['status'] })] },
      'member 0: unknown status "gone"',
    ],
    ['unknown type', { type: 'bogus' } as unknown as Message, 'unknown message type "bogus"'],
  ];

  it.each(invalid)('refuses a message with %s', (_label, message, problem) => {
    expect(validateMessage(message)).toContain(problem);
    expect(() => codec.encode([{ type: 'ack', seq: seqNo(1) }, message])).toThrow(problem);
  });

  it('refuses to build a datagram over the receive limit', () => {
    const fat = member({ tags: { k: 'v'.repeat(400) } });
    const state: Message = { type: 'state', full: false, members: Array.from({ length: 40 }, () => fat) };
    expect(messageSize(state)).toBeGreaterThan(LIMITS.maxDatagramBytes);
    expect(() => codec.encode([state])).toThrow(/exceeds 9216/);
  });

  it('keeps earlier packets intact while encoding later ones', () => {
    const first = codec.encode([{ type: 'ping', seq: seqNo(1), target: nodeName('first') }]);
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 2000; i++) codec.encode([alive({ incarnation: incarnation(i) })]);
    expect([...first]).toEqual([...copy]);
    expect(codec.decode(first).ok).toBe(true);
  });

  it('keeps codecs of different clusters independent', () => {
    const a = createCodec({ cluster: 'a' });
    const b = createCodec({ cluster: 'b' });
    const fromA = a.encode([{ type: 'ack', seq: seqNo(1) }]);
    const fromB = b.encode([{ type: 'ack', seq: seqNo(2) }]);
    expect(a.decode(fromA).ok).toBe(true);
    expect(b.decode(fromB).ok).toBe(true);
    expect(a.decode(fromB).ok).toBe(false);
  });
});

describe('field validators for config', () => {
  it('validateTags accepts the limits and refuses past them', () => {
    expect(validateTags({})).toBeNull();
    expect(validateTags(manyTags)).toBeNull();
    expect(validateTags({ k: 'v'.repeat(LIMITS.maxTagsBytes - 1 - 2 - 3) })).toBeNull();
    expect(validateTags({ k: 'v'.repeat(LIMITS.maxTagsBytes - 1 - 2 - 3 + 1) })).toBe('tags encode to 513 bytes (max 512)');
    expect(validateTags({ ...manyTags, extra: 'v' })).toBe('tags has 65 keys (max 64)');
    expect(validateTags({ ['k'.repeat(129)]: 'v' })).toContain('is 129 UTF-8 bytes (max 128)');
    expect(validateTags({ '': 'v' })).toBe('tag key "" is empty');
    expect(validateTags({ 'a\u007f': 'v' })).toContain('control character U+007F');
    expect(validateTags({ k: 'v'.repeat(513) })).toBe('tag "k" value is 513 UTF-8 bytes (max 512)');
    expect(validateTags({ k: 1 } as unknown as Tags)).toBe('tag "k" value must be a string, got 1');
    // A lone surrogate cannot survive UTF-8: refused here rather than mangled on the wire.
    expect(validateTags({ k: 'a\ud800' })).toBe('tag "k" value contains an unpaired surrogate at index 1');
    expect(validateName('a\udc00b')).toBe('name contains an unpaired surrogate at index 1');
  });

  it('validateName, validateHost and validatePort name the field', () => {
    expect(validateName('node-1')).toBeNull();
    expect(validateName('')).toBe('name is empty');
    expect(validateName('x'.repeat(200), '--name')).toBe('--name is 200 UTF-8 bytes (max 128)');
    expect(validateHost('10.0.0.1')).toBeNull();
    expect(validateHost('bad host')).toContain('host contains whitespace');
    expect(validatePort(7946)).toBeNull();
    expect(validatePort(0)).toBe('port 0 out of range 1..65535');
  });

  it('exports every drop reason', () => {
    expect(DROP_REASONS).toEqual([
      'too-large',
      'too-short',
      'bad-version',
      'wrong-cluster',
      'malformed',
      'invalid-message',
      'too-many-messages',
    ]);
  });
});

describe('purity', () => {
  const dir = fileURLToPath(new URL('../../src/codec', import.meta.url));
  const files = readdirSync(dir).filter((file) => file.endsWith('.ts'));

  it.each(files)('%s imports nothing but msgpackr, siblings, the protocol and the Result shape, and reads no clock or randomness', (file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    for (const specifier of imports) {
      const allowed =
        specifier === 'msgpackr' || specifier?.startsWith('msgpackr/') || specifier === '../result.js' || specifier?.startsWith('./') || specifier?.startsWith('../protocol/');
      expect(allowed, specifier).toBe(true);
    }
    expect(source).not.toMatch(/from 'node:|\brequire\(|Date\.now|Math\.random|setTimeout|setInterval|performance\.|process\./);
  });
});
