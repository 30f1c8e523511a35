import { describe, expect, it } from 'vitest';
import { rawPacketFor } from './raw-packet.js';
import {
  LIMITS,
  createCodec,
  messageSize,
  packetOverheadBytes,
  validateMessage,
} from '../../src/codec/index.js';
import type { KeyRequest, KeyResponse, Message } from '../../src/protocol/messages.js';
import { nodeName } from '../../src/protocol/types.js';

// The key-operation messages of src/agent/key-ops.ts: codes 10 and 11, validated like the rest.

const CLUSTER = 'keys';
const codec = createCodec({ cluster: CLUSTER });
const KEY = Buffer.alloc(32, 7).toString('base64');
const KEY_ID = '0123456789abcdef';

const rawPacket = rawPacketFor(CLUSTER);

function request(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return { type: 'key-request', id: 0xffff_fffe, op: 'install', key: KEY, sentAtS: 1_764_094_381, name: nodeName('node-2'), ...overrides };
}

function response(overrides: Partial<KeyResponse> = {}): KeyResponse {
  return { type: 'key-response', id: 7, name: nodeName('node-1'), ok: true, error: '', keyIds: [KEY_ID], mode: 'enforce', ...overrides };
}

const ROUND_TRIP: [string, Message][] = [
  ['install', request()],
  ['use', request({ op: 'use', id: 0 })],
  ['remove', request({ op: 'remove' })],
  ['list carries no key', request({ op: 'list', key: '' })],
  ['enforce carries no key', request({ op: 'enforce', key: '' })],
  ['relax carries no key', request({ op: 'relax', key: '' })],
  ['a plaintext member with no key', response({ keyIds: [], mode: 'plaintext' })],
  ['a member that encrypts and accepts plaintext', response({ mode: 'encrypt' })],
  ['response', response()],
  ['refusal', response({ ok: false, error: 'the key is the primary key: use another key first' })],
  [
    'longest response',
    response({
      id: 0xffff_ffff,
      name: nodeName('n'.repeat(LIMITS.maxNameBytes)),
      error: 'é'.repeat(64),
      keyIds: Array.from({ length: LIMITS.maxKeyringKeys }, () => KEY_ID),
    }),
  ],
  ['empty keyring', response({ keyIds: [] })],
];

describe('key messages', () => {
  it.each(ROUND_TRIP)('round-trips %s, sized exactly', (_label, message) => {
    const bytes = codec.encode([message]);
    expect(codec.decode(bytes)).toEqual({ ok: true, value: [message] });
    expect(bytes.length).toBe(packetOverheadBytes(1) + messageSize(message));
  });

  it('keeps the largest key-response inside the smallest packet with encryption', () => {
    const largest = ROUND_TRIP.find(([label]) => label === 'longest response')?.[1];
    if (largest === undefined) throw new Error('missing case');
    // 576 is MIN_PACKET_BYTES; 29 bytes are the encrypted envelope.
    expect(codec.encode([largest]).length + 29).toBeLessThanOrEqual(576);
    expect(messageSize(largest)).toBe(406);
  });

  it.each([
    ['unknown op code', [10, 1, 6, KEY, 1, 'n'], 'unknown key op code 6'],
    ['string op', [10, 1, 'install', KEY, 1, 'n'], 'unknown key op code "install"'],
    ['short key', [10, 1, 1, KEY.slice(1), 1, 'n'], 'key is not a base64 key of 32 bytes'],
    ['key without padding', [10, 1, 1, `${KEY.slice(0, 43)}A`, 1, 'n'], 'key is not a base64 key'],
    ['key of the wrong type', [10, 1, 1, 5, 1, 'n'], 'key must be a string, got number'],
    ['list with a key', [10, 1, 0, KEY, 1, 'n'], 'key must be empty for list'],
    ['negative id', [10, -1, 1, KEY, 1, 'n'], 'id -1 out of range'],
    ['float sentAtS', [10, 1, 1, KEY, 1.5, 'n'], 'sentAtS 1.5 is not an integer'],
    ['too few elements', [10, 1, 1, KEY, 1], 'expected 6 elements, got 5'],
    ['response without name', [11, 1, '', true, '', [], 0], 'name is empty'],
    ['response ok not boolean', [11, 1, 'n', 1, '', [], 0], 'ok must be a boolean'],
    ['response error with a newline', [11, 1, 'n', false, 'a\nb', [], 0], 'error contains control character U+000A'],
    ['response error too long', [11, 1, 'n', false, 'x'.repeat(129), [], 0], 'error is 129 UTF-8 bytes (max 128)'],
    ['response keyIds not an array', [11, 1, 'n', true, '', 'abc', 0], 'keyIds must be an array, got string'],
    ['response key id not hex', [11, 1, 'n', true, '', ['0123456789ABCDEF'], 0], 'keyIds[0] "0123456789ABCDEF" is not 16 lowercase hex digits'],
    ['enforce with a key', [10, 1, 4, KEY, 1, 'n'], 'key must be empty for enforce'],
    ['request without sender name', [10, 1, 1, KEY, 1, ''], 'name is empty'],
    ['response unknown mode', [11, 1, 'n', true, '', [], 3], 'unknown keyring mode code 3'],
    ['response without mode', [11, 1, 'n', true, '', []], 'expected 7 elements, got 6'],
    ['response too many key ids', [11, 1, 'n', true, '', Array.from({ length: 9 }, () => KEY_ID), 0], 'keyIds has 9 entries (max 8)'],
  ])('drops %s', (_label, tuple, detail) => {
    const result = codec.decode(rawPacket([tuple]));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe('invalid-message');
      expect(result.error).toContain(detail);
    }
  });

  it('never echoes a malformed key in a drop detail', () => {
    const secretish = `${KEY.slice(0, 40)}!!!=`;
    const result = codec.decode(rawPacket([[10, 1, 1, secretish, 1, 'n']]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).not.toContain(secretish);
  });

  it('refuses to encode what a peer would drop', () => {
    expect(validateMessage(request({ op: 'list' }))).toBe('key must be empty for list');
    expect(validateMessage(request({ key: 'abc' }))).toContain('not a base64 key');
    expect(validateMessage(response({ keyIds: ['nothex'] }))).toContain('keyIds[0]');
    expect(validateMessage(response({ error: 'x'.repeat(200) }))).toContain('max 128');
    expect(() => codec.encode([request({ op: 'use', key: '' })])).toThrow(TypeError);
  });
});
