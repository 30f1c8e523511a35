import { describe, expect, it } from 'vitest';
import { rawPacketFor } from './raw-packet.js';
import { createCodec, LIMITS, messageSize, packetOverheadBytes, validateMessage } from '../../src/codec/index.js';
import type { Message } from '../../src/protocol/messages.js';

// The anti-entropy exchange's messages (sync with nonce and cookie, challenge, buckets, pull):
// round trips, exact sizes, and every field refused at decode and at encode, limits included.

const CLUSTER = 'exchange';
const codec = createCodec({ cluster: CLUSTER });
const U32_MAX = 0xffff_ffff;

const rawPacket = rawPacketFor(CLUSTER);

function dropOf(bytes: Uint8Array): { reason: string; error: string } {
  const result = codec.decode(bytes);
  if (result.ok) throw new Error(`expected a drop, decoded ${JSON.stringify(result.value)}`);
  return { reason: result.reason, error: result.error };
}

const max = LIMITS.maxDigestBuckets;
const maxCount = LIMITS.maxBucketCount;

describe('exchange messages round-trip with exact sizes', () => {
  const cases: Array<[string, Message]> = [
    ['sync without nonce', { type: 'sync', digest: 1, members: 2, join: false }],
    ['sync with nonce', { type: 'sync', digest: U32_MAX, members: 0, join: true, nonce: U32_MAX }],
    ['sync with nonce and cookie', { type: 'sync', digest: 0, members: 5, join: false, nonce: 7, cookie: U32_MAX }],
    ['challenge', { type: 'challenge', nonce: 0, cookie: U32_MAX, members: 1000 }],
    ['buckets of one', { type: 'buckets', nonce: 3, sums: [U32_MAX] }],
    ['buckets at the limit', { type: 'buckets', nonce: 3, sums: Array.from({ length: max }, (_, i) => (i * 0x01000193) >>> 0) }],
    ['introduce', { type: 'introduce' }],
    ['pull none', { type: 'pull', cookie: 1, bucketCount: 1, indices: [] }],
    ['pull every bucket at the limit', { type: 'pull', cookie: 1, bucketCount: max, indices: Array.from({ length: max }, (_, i) => i) }],
    ['buckets, the last part of the finest split', { type: 'buckets', nonce: 3, sums: Array.from({ length: max }, (_, i) => i), part: { count: maxCount, offset: maxCount - max } }],
    ['buckets, a short part', { type: 'buckets', nonce: 3, sums: [1], part: { count: 512, offset: 0 } }],
    ['pull that asks for the next part', { type: 'pull', cookie: 1, bucketCount: maxCount, indices: [0, maxCount - 1], next: { nonce: U32_MAX, offset: 256 } }],
  ];

  it.each(cases)('%s', (_label, message) => {
    const bytes = codec.encode([message]);
    expect(bytes.length).toBe(packetOverheadBytes(1) + messageSize(message));
    const decoded = codec.decode(bytes);
    expect(decoded.ok && decoded.value).toEqual([message]);
  });

  it('a cookie without a nonce travels with nonce 0 (the tuple is positional)', () => {
    const decoded = codec.decode(codec.encode([{ type: 'sync', digest: 1, members: 1, join: false, cookie: 9 }]));
    expect(decoded.ok && decoded.value).toEqual([{ type: 'sync', digest: 1, members: 1, join: false, nonce: 0, cookie: 9 }]);
  });

  it('256 bucket sums fit one 1,400-byte packet', () => {
    const sums = Array.from({ length: max }, () => U32_MAX);
    expect(packetOverheadBytes(1) + messageSize({ type: 'buckets', nonce: U32_MAX, sums })).toBeLessThan(1400);
  });
});

describe('exchange messages from the network are validated', () => {
  const cases: Array<[string, unknown[], string]> = [
    ['sync nonce negative', [8, 1, 1, false, -1], 'message 0 (sync): nonce -1 out of range 0..4294967295'],
    ['sync cookie string', [8, 1, 1, false, 1, 'c'], 'message 0 (sync): cookie must be an unsigned integer, got "c"'],
    ['sync 7 elements', [8, 1, 1, false, 1, 1, 1], 'message 0 (sync): expected 4 to 6 elements, got 7'],
    ['challenge short', [14, 1, 1], 'message 0 (challenge): expected 4 elements, got 3'],
    ['challenge cookie 2^32', [14, 1, 2 ** 32, 1], 'message 0 (challenge): cookie 4294967296 out of range 0..4294967295'],
    ['buckets not an array', [12, 1, 5], 'message 0 (buckets): sums must be an array, got number'],
    ['buckets empty', [12, 1, []], 'message 0 (buckets): sums length 0 is not a power of two from 1 to 4096'],
    ['buckets 3 sums', [12, 1, [1, 2, 3]], 'message 0 (buckets): sums length 3 is not a power of two from 1 to 4096'],
    ['buckets part without offset', [12, 1, [1], 512], 'message 0 (buckets): a part needs both count and offset'],
    ['buckets part count 3', [12, 1, [1], 3, 0], 'message 0 (buckets): count 3 is not a power of two from 1 to 4096'],
    ['buckets part count 8192', [12, 1, [1], 8192, 0], 'message 0 (buckets): count 8192 is not a power of two from 1 to 4096'],
    ['buckets part past its count', [12, 1, [1, 2], 512, 511], 'message 0 (buckets): sums 511..512 out of range 0..511'],
    ['buckets part empty', [12, 1, [], 512, 0], 'message 0 (buckets): a part of the sums holds none'],
    ['buckets part offset negative', [12, 1, [1], 512, -1], 'message 0 (buckets): offset -1 out of range 0..4294967295'],
    ['buckets over the limit', [12, 1, Array.from({ length: max + 1 }, () => 0)], `message 0 (buckets): sums has ${max + 1} entries (max ${max})`],
    ['buckets sum negative', [12, 1, [1, -2]], 'message 0 (buckets): sums[1] -2 out of range 0..4294967295'],
    ['introduce with a field', [15, 1], 'message 0 (introduce): expected 1 elements, got 2'],
    ['pull count 0', [13, 1, 0, []], 'message 0 (pull): bucketCount 0 is not a power of two from 1 to 4096'],
    ['pull count 8192', [13, 1, 8192, []], 'message 0 (pull): bucketCount 8192 is not a power of two from 1 to 4096'],
    ['pull next without offset', [13, 1, 512, [], 7], 'message 0 (pull): a next part needs both nonce and offset'],
    ['pull next past the count', [13, 1, 512, [], 7, 512], 'message 0 (pull): next offset 512 out of range 0..511'],
    ['pull next nonce string', [13, 1, 512, [], 'n', 256], 'message 0 (pull): nonce must be an unsigned integer, got "n"'],
    ['pull index out of range', [13, 1, 4, [4]], 'message 0 (pull): indices[0] 4 out of range 0..3'],
    ['pull indices repeated', [13, 1, 4, [1, 1]], 'message 0 (pull): indices[1] 1 is not above the one before it (1)'],
    ['pull more indices than buckets', [13, 1, 2, [0, 1, 1]], 'message 0 (pull): 3 indices for 2 buckets'],
    ['pull indices over the limit', [13, 1, max, Array.from({ length: max + 1 }, (_, i) => i)], `message 0 (pull): indices has ${max + 1} entries (max ${max})`],
    ['pull cookie nil', [13, null, 1, []], 'message 0 (pull): cookie must be an unsigned integer, got nil'],
  ];

  it.each(cases)('%s', (_label, tuple, error) => {
    expect(dropOf(rawPacket([tuple]))).toEqual({ reason: 'invalid-message', error });
  });
});

describe('exchange messages we would send are checked too', () => {
  const cases: Array<[string, Message, string]> = [
    ['buckets of 3', { type: 'buckets', nonce: 1, sums: [1, 2, 3] }, 'sums length 3 is not a power of two'],
    ['buckets over the limit', { type: 'buckets', nonce: 1, sums: Array.from({ length: 2 * max }, () => 0) }, `sums has ${2 * max} entries (max ${max})`],
    ['a part past its count', { type: 'buckets', nonce: 1, sums: [1, 2], part: { count: 2, offset: 1 } }, 'sums 1..2 out of range 0..1'],
    ['a pull of more indices than a packet holds', { type: 'pull', cookie: 1, bucketCount: maxCount, indices: Array.from({ length: max + 1 }, (_, i) => i) }, `indices has ${max + 1} entries (max ${max})`],
    ['pull out of range', { type: 'pull', cookie: 1, bucketCount: 2, indices: [2] }, 'indices[0] 2 out of range 0..1'],
    ['challenge float', { type: 'challenge', nonce: 0.5, cookie: 1, members: 1 }, 'nonce 0.5 is not an integer'],
    ['sync cookie negative', { type: 'sync', digest: 1, members: 1, join: false, nonce: 1, cookie: -1 }, 'cookie -1'],
  ];

  it.each(cases)('refuses %s', (_label, message, problem) => {
    expect(validateMessage(message)).toContain(problem);
    expect(() => codec.encode([message])).toThrow(problem);
  });
});
