import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KEY_REQUEST_MAX_AGE_S, KeyOperations, keyOpTimings, type KeyPeer } from '../../src/agent/key-ops.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { keyId } from '../../src/crypto/keys.js';
import type { KeyMessage, KeyRequest, KeyResponse } from '../../src/protocol/messages.js';
import type { Address } from '../../src/protocol/types.js';

// KeyOperations without a network: what it sends is captured, and peers' answers are fed back.

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const ID1 = keyId(Buffer.from(K1, 'base64'));
const ID2 = keyId(Buffer.from(K2, 'base64'));
const NOW_MS = 1_764_000_000_000;
const FROM: Address = { host: '10.0.0.9', port: 7946 };

interface Harness {
  readonly ops: KeyOperations;
  readonly keyring: Keyring;
  readonly sent: Array<{ readonly to: Address; readonly message: KeyMessage }>;
  saves: number;
}

function harness(keys: readonly string[], peers: readonly KeyPeer[] = [], persist: 'ok' | 'fail' | 'none' = 'ok'): Harness {
  const created = Keyring.create(keys, 'c');
  if (!created.ok) throw new Error(created.error);
  const keyring = created.keyring;
  const sent: Harness['sent'] = [];
  const h: { saves: number } = { saves: 0 };
  const save = (): void => {
    if (persist === 'fail') throw new Error('EACCES: permission denied');
    h.saves++;
  };
  const ops = new KeyOperations({
    name: 'self',
    keyring,
    peers: () => peers,
    send: (to, message) => sent.push({ to, message }),
    persist: persist === 'none' ? null : save,
    logger: pino({ level: 'silent' }),
    retryIntervalMs: 20,
    timeoutMs: 200,
    wallClockMs: () => NOW_MS,
  });
  return {
    ops,
    keyring,
    sent,
    get saves() {
      return h.saves;
    },
  };
}

function request(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return { type: 'key-request', id: 1, op: 'install', key: K2, sentAtS: NOW_MS / 1000, ...overrides };
}

function responses(h: Harness): KeyResponse[] {
  return h.sent.map((s) => s.message).filter((m): m is KeyResponse => m.type === 'key-response');
}

function requests(h: Harness): KeyRequest[] {
  return h.sent.map((s) => s.message).filter((m): m is KeyRequest => m.type === 'key-request');
}

/** Answers every request sent so far as `peer` would, holding `keyIds`. */
function answer(h: Harness, peer: string, keyIds: readonly string[], ok = true, error = ''): void {
  for (const sent of requests(h)) h.ops.onResponse({ type: 'key-response', id: sent.id, name: peer, ok, error, keyIds });
}

const PEERS: KeyPeer[] = [
  { name: 'p1', addr: { host: '10.0.0.1', port: 7946 } },
  { name: 'p2', addr: { host: '10.0.0.2', port: 7946 } },
];

describe('a member answering key requests', () => {
  it('applies a request, saves the keyring, and answers with its key ids', () => {
    const h = harness([K1]);
    h.ops.onRequest(request(), FROM);
    expect(h.keyring.keys()).toEqual([K1, K2]);
    expect(h.saves).toBe(1);
    const expected: KeyResponse = { type: 'key-response', id: 1, name: 'self', ok: true, error: '', keyIds: [ID1, ID2] };
    expect(h.sent).toEqual([{ to: FROM, message: expected }]);
  });

  it('applies a request once: a resend or a replay gets the same answer and changes nothing', () => {
    const h = harness([K1]);
    h.ops.onRequest(request({ id: 7, op: 'install' }), FROM);
    h.ops.onRequest(request({ id: 8, op: 'remove' }), FROM);
    expect(h.keyring.keys()).toEqual([K1]);
    h.ops.onRequest(request({ id: 7, op: 'install' }), FROM);
    expect(h.keyring.keys()).toEqual([K1]);
    expect(responses(h).map((r) => [r.id, r.keyIds])).toEqual([
      [7, [ID1, ID2]],
      [8, [ID1]],
      [7, [ID1, ID2]],
    ]);
  });

  it.each([
    ['too old', -KEY_REQUEST_MAX_AGE_S - 1],
    ['from the future', KEY_REQUEST_MAX_AGE_S + 1],
  ])('ignores a request stamped %s', (_label, offsetS) => {
    const h = harness([K1]);
    h.ops.onRequest(request({ sentAtS: NOW_MS / 1000 + offsetS }), FROM);
    h.ops.onRequest(request({ sentAtS: NOW_MS / 1000 + offsetS }), FROM);
    expect(h.keyring.keys()).toEqual([K1]);
    expect(h.sent).toEqual([]);
  });

  it('accepts a request within the window', () => {
    const h = harness([K1]);
    h.ops.onRequest(request({ sentAtS: NOW_MS / 1000 - KEY_REQUEST_MAX_AGE_S }), FROM);
    expect(h.keyring.keys()).toEqual([K1, K2]);
  });

  it('refuses to remove its primary key, saying why', () => {
    const h = harness([K1, K2]);
    h.ops.onRequest(request({ op: 'remove', key: K1 }), FROM);
    expect(h.keyring.keys()).toEqual([K1, K2]);
    expect(responses(h)[0]).toMatchObject({ ok: false, error: 'the key is the primary key: use another key first' });
  });

  it('answers a list without changing anything or saving', () => {
    const h = harness([K2, K1]);
    h.ops.onRequest(request({ op: 'list', key: '' }), FROM);
    expect(h.saves).toBe(0);
    expect(responses(h)[0]).toMatchObject({ ok: true, keyIds: [ID2, ID1] });
  });

  it('reports a keyring it could not save, in at most 128 bytes', () => {
    const h = harness([K1], [], 'fail');
    h.ops.onRequest(request(), FROM);
    const [response] = responses(h);
    expect(response?.ok).toBe(false);
    expect(response?.error).toMatch(/^applied, but the keyring file was not saved: EACCES/);
    expect(Buffer.byteLength(response?.error ?? '')).toBeLessThanOrEqual(128);
  });
});

describe('an operation run from this agent', () => {
  it('applies it here, asks every peer, and reports each answer', async () => {
    const h = harness([K1], PEERS);
    const running = h.ops.run('install', K2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.keyring.keys()).toEqual([K1, K2]);
    expect(requests(h).map((r) => [r.op, r.key])).toEqual([
      ['install', K2],
      ['install', K2],
    ]);
    answer(h, 'p1', [ID1, ID2]);
    answer(h, 'p2', [ID1], false, 'the keyring is full (8 keys): remove one first');
    const outcome = await running;
    expect(outcome).toEqual({
      ok: true,
      report: {
        op: 'install',
        ok: false,
        members: 3,
        responded: 3,
        keys: [
          { key: K1, id: ID1, primary: 3, installed: 3 },
          { key: K2, id: ID2, primary: 0, installed: 2 },
        ],
        nodes: [
          { name: 'p1', ok: true, keyIds: [ID1, ID2] },
          { name: 'p2', ok: false, error: 'the keyring is full (8 keys): remove one first', keyIds: [ID1] },
          { name: 'self', ok: true, keyIds: [ID1, ID2] },
        ],
      },
    });
  });

  it('resends to a silent peer, and reports it after the timeout', async () => {
    const h = harness([K1], PEERS);
    const running = h.ops.run('list', null);
    await new Promise((resolve) => setImmediate(resolve));
    answer(h, 'p1', [ID1]);
    const outcome = await running;
    const silentSends = h.sent.filter((s) => s.to.host === '10.0.0.2').length;
    expect(silentSends).toBeGreaterThanOrEqual(3);
    expect(h.sent.filter((s) => s.to.host === '10.0.0.1')).toHaveLength(1);
    expect(outcome.ok && outcome.report).toMatchObject({
      ok: false,
      members: 3,
      responded: 2,
      nodes: [
        { name: 'p1', ok: true },
        { name: 'p2', ok: false, error: 'no answer within 200ms', keyIds: [] },
        { name: 'self', ok: true },
      ],
    });
  });

  it('ignores late, duplicate and unasked answers', async () => {
    const h = harness([K1], PEERS.slice(0, 1));
    const running = h.ops.run('list', null);
    await new Promise((resolve) => setImmediate(resolve));
    answer(h, 'stranger', [ID2]);
    answer(h, 'p1', [ID1]);
    answer(h, 'p1', [ID2]);
    const outcome = await running;
    expect(outcome.ok && outcome.report.nodes).toEqual([
      { name: 'p1', ok: true, keyIds: [ID1] },
      { name: 'self', ok: true, keyIds: [ID1] },
    ]);
    answer(h, 'p1', [ID2]);
  });

  it('refuses to use a key a peer lacks, or a silent peer might lack, and changes nothing', async () => {
    const h = harness([K1, K2], PEERS);
    const running = h.ops.run('use', K2);
    await new Promise((resolve) => setImmediate(resolve));
    answer(h, 'p1', [ID1]);
    const outcome = await running;
    expect(outcome).toEqual({
      ok: false,
      status: 409,
      error:
        'refused to use the key, since members would be cut off: ' +
        'not installed on p1 (gossipd keys install it first); no answer from p2',
    });
    expect(h.keyring.primaryKey).toBe(K1);
    expect(requests(h).every((r) => r.op === 'list')).toBe(true);
  });

  it('refuses to remove a key a peer still encrypts with', async () => {
    const h = harness([K2, K1], PEERS);
    const running = h.ops.run('remove', K1);
    await new Promise((resolve) => setImmediate(resolve));
    answer(h, 'p1', [ID2, ID1]);
    answer(h, 'p2', [ID1, ID2]);
    expect(await running).toMatchObject({ ok: false, status: 409, error: expect.stringContaining('still the primary key of p2') });
    expect(h.keyring.keys()).toEqual([K2, K1]);
  });

  it.each([
    ['remove', K1, 409, 'the key is the primary key'],
    ['use', K2, 409, 'the key is not installed here'],
    ['install', 'short', 400, 'key: not a base64 key'],
    ['install', null, 400, 'key: a key must be a string, not null'],
  ] as const)('refuses %s %s at once, sending nothing', async (op, key, status, message) => {
    const h = harness([K1], PEERS);
    expect(await h.ops.run(op, key)).toEqual({ ok: false, status, error: expect.stringContaining(message) });
    expect(h.sent).toEqual([]);
  });

  it('finishes running operations when closed, and refuses new ones', async () => {
    const h = harness([K1], PEERS);
    const running = h.ops.run('list', null);
    await new Promise((resolve) => setImmediate(resolve));
    h.ops.close();
    expect((await running).ok).toBe(true);
    expect(await h.ops.run('list', null)).toMatchObject({ ok: false, status: 409 });
  });

  it('waits 5 probe intervals (at least 2 s) and resends every probe timeout (at least 100 ms)', () => {
    expect(keyOpTimings({ probeIntervalMs: 1000, probeTimeoutMs: 500 })).toEqual({ retryIntervalMs: 500, timeoutMs: 5000 });
    expect(keyOpTimings({ probeIntervalMs: 200, probeTimeoutMs: 50 })).toEqual({ retryIntervalMs: 100, timeoutMs: 2000 });
  });
});
