import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KEY_REQUEST_MAX_AGE_S, KeyOperations, keyOpTimings, type KeyPeer, type SetTimer } from '../../src/agent/key-ops.js';
import { LIMITS } from '../../src/codec/limits.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { keyId } from '../../src/crypto/keys.js';
import type { KeyMessage, KeyRequest, KeyResponse, KeyringMode } from '../../src/protocol/messages.js';
import { nodeName, type Address } from '../../src/protocol/types.js';
import { FakeClock } from './fake-clock.js';

// KeyOperations without a network or real time: what it sends is captured, peers' answers are
// fed back, and its timers run on a manual clock.

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const ID1 = keyId(Buffer.from(K1, 'base64'));
const ID2 = keyId(Buffer.from(K2, 'base64'));
const NOW_MS = 1_764_000_000_000;
const FROM: Address = { host: '10.0.0.9', port: 7946 };

/** Timers on a manual clock: nothing fires until advance(). */
class ManualTimers {
  private readonly clock = new FakeClock();

  readonly setTimer: SetTimer = (callback, delayMs) => this.clock.after(delayMs, callback);

  /** Timers armed and not yet fired or cancelled. */
  get armed(): number {
    return this.clock.pendingTimers;
  }

  /** Moves the clock on, firing each due timer at its time: earliest first, then in the order set. */
  advance(ms: number): void {
    this.clock.advance(ms);
  }
}

interface Harness {
  readonly ops: KeyOperations;
  readonly keyring: Keyring;
  readonly sent: Array<{ readonly to: Address; readonly message: KeyMessage }>;
  readonly timers: ManualTimers;
  saves: number;
}

const RETRY_MS = 20;
const TIMEOUT_MS = 200;

function harness(
  keys: readonly string[],
  peers: readonly KeyPeer[] = [],
  persist: 'ok' | 'fail' | 'none' = 'ok',
  randomUint32: () => number = counter(),
  mode: KeyringMode = 'enforce',
  memberAddresses: readonly Address[] = [FROM, ...peers.map((peer) => peer.addr)],
): Harness {
  const created = Keyring.create(keys, 'c', mode);
  if (!created.ok) throw new Error(created.error);
  const keyring = created.value;
  const sent: Harness['sent'] = [];
  const timers = new ManualTimers();
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
    isMemberAddress: (addr) => memberAddresses.some((known) => known.host === addr.host && known.port === addr.port),
    persist: persist === 'none' ? null : save,
    logger: pino({ level: 'silent' }),
    retryIntervalMs: RETRY_MS,
    timeoutMs: TIMEOUT_MS,
    wallClockMs: () => NOW_MS,
    setTimer: timers.setTimer,
    randomUint32,
  });
  return {
    ops,
    keyring,
    sent,
    timers,
    get saves() {
      return h.saves;
    },
  };
}

/** Ids 1, 2, 3, …: a random source that never repeats. */
function counter(): () => number {
  let last = 0;
  return () => ++last;
}

/** Lets promise callbacks run (the operation's own awaits), without moving the manual clock. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function request(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return { type: 'key-request', id: 1, op: 'install', key: K2, sentAtS: NOW_MS / 1000, name: nodeName('origin'), ...overrides };
}

function responses(h: Harness): KeyResponse[] {
  return h.sent.map((s) => s.message).filter((m): m is KeyResponse => m.type === 'key-response');
}

function requests(h: Harness): KeyRequest[] {
  return h.sent.map((s) => s.message).filter((m): m is KeyRequest => m.type === 'key-request');
}

/** Answers every request sent so far as `peer` would, holding `keyIds`. */
function answer(h: Harness, peer: string, keyIds: readonly string[], ok = true, error = '', mode: KeyringMode = 'enforce'): void {
  for (const sent of requests(h)) h.ops.onResponse({ type: 'key-response', id: sent.id, name: nodeName(peer), ok, error, keyIds, mode });
}

const PEERS: KeyPeer[] = [
  { name: 'p1', addr: { host: '10.0.0.1', port: 7946 } },
  { name: 'p2', addr: { host: '10.0.0.2', port: 7946 } },
];

describe('a member answering key requests', () => {
  it('applies a request, saves the keyring, and answers with its key ids', () => {
    const h = harness([K1]);
    h.ops.onRequest(request(), FROM, true);
    expect(h.keyring.keys()).toEqual([K1, K2]);
    expect(h.saves).toBe(1);
    const expected: KeyResponse = { type: 'key-response', id: 1, name: nodeName('self'), ok: true, error: '', keyIds: [ID1, ID2], mode: 'enforce' };
    expect(h.sent).toEqual([{ to: FROM, message: expected }]);
  });

  it('applies a request once: a resend or a replay gets the same answer and changes nothing', () => {
    const h = harness([K1]);
    h.ops.onRequest(request({ id: 7, op: 'install' }), FROM, true);
    h.ops.onRequest(request({ id: 8, op: 'remove' }), FROM, true);
    expect(h.keyring.keys()).toEqual([K1]);
    h.ops.onRequest(request({ id: 7, op: 'install' }), FROM, true);
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
    h.ops.onRequest(request({ sentAtS: NOW_MS / 1000 + offsetS }), FROM, true);
    h.ops.onRequest(request({ sentAtS: NOW_MS / 1000 + offsetS }), FROM, true);
    expect(h.keyring.keys()).toEqual([K1]);
    expect(h.sent).toEqual([]);
  });

  it('accepts a request within the window', () => {
    const h = harness([K1]);
    h.ops.onRequest(request({ sentAtS: NOW_MS / 1000 - KEY_REQUEST_MAX_AGE_S }), FROM, true);
    expect(h.keyring.keys()).toEqual([K1, K2]);
  });

  it('refuses to remove its primary key, saying why', () => {
    const h = harness([K1, K2]);
    h.ops.onRequest(request({ op: 'remove', key: K1 }), FROM, true);
    expect(h.keyring.keys()).toEqual([K1, K2]);
    expect(responses(h)[0]).toMatchObject({ ok: false, error: 'the key is the primary key: use another key first' });
  });

  it('answers a list without changing anything or saving', () => {
    const h = harness([K2, K1]);
    h.ops.onRequest(request({ op: 'list', key: '' }), FROM, true);
    expect(h.saves).toBe(0);
    expect(responses(h)[0]).toMatchObject({ ok: true, keyIds: [ID2, ID1] });
  });

  it('reports a keyring it could not save, in at most 128 bytes', () => {
    const h = harness([K1], [], 'fail');
    h.ops.onRequest(request(), FROM, true);
    const [response] = responses(h);
    expect(response?.ok).toBe(false);
    expect(response?.error).toMatch(/^applied, but the keyring file was not saved: EACCES/);
    expect(Buffer.byteLength(response?.error ?? '')).toBeLessThanOrEqual(128);
  });
});

describe('key requests remembered by the sender’s name, not its address', () => {
  it('refuses a captured install resent from another port: it cannot undo a remove', () => {
    const h = harness([K1]);
    h.ops.onRequest(request({ id: 7, op: 'install' }), FROM, true);
    h.ops.onRequest(request({ id: 8, op: 'remove' }), FROM, true);
    expect(h.keyring.keys()).toEqual([K1]);
    const answered = h.sent.length;
    // The attacker replays the install it recorded, within the window, from its own port.
    h.ops.onRequest(request({ id: 7, op: 'install' }), { host: FROM.host, port: FROM.port + 1 }, true);
    h.ops.onRequest(request({ id: 7, op: 'install' }), { host: '10.9.9.9', port: 4444 }, true);
    expect(h.keyring.keys()).toEqual([K1]);
    expect(h.sent.length).toBe(answered);
    expect(h.ops.refused.replayed).toBe(2);
  });

  it('still answers a resend from the same address, applying nothing', () => {
    const h = harness([K1]);
    h.ops.onRequest(request({ id: 7 }), FROM, true);
    h.ops.onRequest(request({ id: 7 }), FROM, true);
    expect(responses(h)).toHaveLength(2);
    expect(h.saves).toBe(1);
  });

  it('keeps requests of two senders with the same id apart', () => {
    const h = harness([K1]);
    h.ops.onRequest(request({ id: 7, op: 'install', name: nodeName('a') }), FROM, true);
    h.ops.onRequest(request({ id: 7, op: 'remove', name: nodeName('b') }), FROM, true);
    expect(h.keyring.keys()).toEqual([K1]);
  });
});

describe('key requests in plaintext', () => {
  const STRANGER: Address = { host: '10.6.6.6', port: 6666 };

  it('a plaintext member takes list, install and remove from a member’s address', () => {
    const h = harness([], [], 'ok', counter(), 'plaintext');
    h.ops.onRequest(request({ id: 1, op: 'install', key: K1 }), FROM, false);
    h.ops.onRequest(request({ id: 2, op: 'install', key: K2 }), FROM, false);
    h.ops.onRequest(request({ id: 3, op: 'remove', key: K1 }), FROM, false);
    h.ops.onRequest(request({ id: 4, op: 'list', key: '' }), FROM, false);
    expect(h.keyring.keys()).toEqual([K2]);
    expect(responses(h).map((r) => [r.ok, r.mode])).toEqual([
      [true, 'plaintext'],
      [true, 'plaintext'],
      [true, 'plaintext'],
      [true, 'plaintext'],
    ]);
  });

  it('refuses a plaintext request from an address that is no member’s', () => {
    const h = harness([], [], 'ok', counter(), 'plaintext');
    h.ops.onRequest(request({ op: 'install', key: K1 }), STRANGER, false);
    expect(h.keyring.keys()).toEqual([]);
    expect(h.sent).toEqual([]);
    expect(h.ops.refused.plaintext).toBe(1);
  });

  it.each(['use', 'enforce', 'relax'] as const)('refuses %s in plaintext: it must come encrypted', (op) => {
    const h = harness([K1], [], 'ok', counter(), 'plaintext');
    h.ops.onRequest(request({ op, key: op === 'use' ? K1 : '' }), FROM, false);
    expect(h.keyring.mode).toBe('plaintext');
    expect(h.sent).toEqual([]);
  });

  it.each(['encrypt', 'enforce'] as const)('a member in %s mode takes no key request in plaintext', (mode) => {
    const h = harness([K1], [], 'ok', counter(), mode);
    h.ops.onRequest(request({ op: 'install', key: K2 }), FROM, false);
    h.ops.onRequest(request({ id: 2, op: 'list', key: '' }), FROM, false);
    expect(h.keyring.keys()).toEqual([K1]);
    expect(h.sent).toEqual([]);
    // The same request encrypted is taken.
    h.ops.onRequest(request({ id: 3, op: 'install', key: K2 }), FROM, true);
    expect(h.keyring.keys()).toEqual([K1, K2]);
  });
});

describe('switching encryption on: use, enforce, relax', () => {
  it('use on a plaintext member makes it seal (mode encrypt); enforce and relax follow', () => {
    const h = harness([K1], [], 'ok', counter(), 'plaintext');
    h.ops.onRequest(request({ id: 1, op: 'use', key: K1 }), FROM, true);
    expect(h.keyring.mode).toBe('encrypt');
    h.ops.onRequest(request({ id: 2, op: 'enforce', key: '' }), FROM, true);
    expect(h.keyring.mode).toBe('enforce');
    h.ops.onRequest(request({ id: 3, op: 'relax', key: '' }), FROM, true);
    expect(h.keyring.mode).toBe('encrypt');
    expect(h.saves).toBe(3);
    expect(responses(h).map((r) => r.mode)).toEqual(['encrypt', 'enforce', 'encrypt']);
  });

  it('refuses enforce here while no key is in use, sending nothing', async () => {
    const h = harness([K1], PEERS, 'ok', counter(), 'plaintext');
    expect(await h.ops.run('enforce', null)).toMatchObject({ ok: false, reason: 'no-key-in-use' });
    expect(h.sent).toEqual([]);
  });

  it('refuses enforce while a member is in plaintext, seals with another key, or is silent', async () => {
    const h = harness([K1, K2], [...PEERS, { name: 'p3', addr: { host: '10.0.0.3', port: 7946 } }], 'ok', counter(), 'encrypt');
    const running = h.ops.run('enforce', null);
    answer(h, 'p1', [ID1, ID2], true, '', 'plaintext');
    answer(h, 'p2', [ID2, ID1], true, '', 'encrypt');
    h.timers.advance(TIMEOUT_MS);
    expect(await running).toEqual({
      ok: false,
      reason: 'would-cut-off',
      error:
        'refused to enforce encryption, since members would be cut off: ' +
        'the primary key is not installed and in use on p1, p2 (gossipd keys use it first); no answer from p3',
    });
    expect(h.keyring.mode).toBe('encrypt');
    expect(requests(h).every((r) => r.op === 'list')).toBe(true);
  });

  it('enforces once every member seals with the primary key, and reports each mode', async () => {
    const h = harness([K1], PEERS, 'ok', counter(), 'encrypt');
    const running = h.ops.run('enforce', null);
    answer(h, 'p1', [ID1], true, '', 'encrypt');
    answer(h, 'p2', [ID1], true, '', 'enforce');
    await settle();
    expect(requests(h).at(-1)?.op).toBe('enforce');
    answer(h, 'p1', [ID1], true, '', 'enforce');
    answer(h, 'p2', [ID1], true, '', 'enforce');
    const outcome = await running;
    expect(h.keyring.mode).toBe('enforce');
    expect(outcome.ok && outcome.value.nodes.map((n) => [n.name, n.mode])).toEqual([
      ['p1', 'enforce'],
      ['p2', 'enforce'],
      ['self', 'enforce'],
    ]);
  });

  it('lets use go ahead on a plaintext cluster where every member holds the key; plaintext members’ first key is no primary', async () => {
    const h = harness([K1], PEERS, 'ok', counter(), 'plaintext');
    const running = h.ops.run('use', K1);
    answer(h, 'p1', [ID1], true, '', 'plaintext');
    answer(h, 'p2', [ID1], true, '', 'plaintext');
    await settle();
    expect(h.keyring.mode).toBe('encrypt');
    answer(h, 'p1', [ID1], true, '', 'encrypt');
    answer(h, 'p2', [ID1], false, 'could not', 'plaintext');
    const outcome = await running;
    // p2 stayed in plaintext: K1 is installed there, but not its primary key.
    expect(outcome.ok && outcome.value.keys).toEqual([{ key: K1, id: ID1, primary: 2, installed: 3 }]);
  });
});

describe('an operation run from this agent', () => {
  it('applies it here, asks every peer, and reports each answer', async () => {
    const h = harness([K1], PEERS);
    const running = h.ops.run('install', K2);
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
      value: {
        op: 'install',
        ok: false,
        members: 3,
        responded: 3,
        keys: [
          { key: K1, id: ID1, primary: 3, installed: 3 },
          { key: K2, id: ID2, primary: 0, installed: 2 },
        ],
        nodes: [
          { name: 'p1', ok: true, keyIds: [ID1, ID2], mode: 'enforce' },
          { name: 'p2', ok: false, error: 'the keyring is full (8 keys): remove one first', keyIds: [ID1], mode: 'enforce' },
          { name: 'self', ok: true, keyIds: [ID1, ID2], mode: 'enforce' },
        ],
      },
    });
  });

  it('resends to a silent peer every retry interval, and reports it after the timeout', async () => {
    const h = harness([K1], PEERS);
    let finished = false;
    const running = h.ops.run('list', null).finally(() => {
      finished = true;
    });
    answer(h, 'p1', [ID1]);
    h.timers.advance(TIMEOUT_MS - 1);
    await settle();
    expect(finished).toBe(false);
    // Sent at 0 ms, then resent every 20 ms up to 180 ms.
    expect(h.sent.filter((s) => s.to.host === '10.0.0.2')).toHaveLength(TIMEOUT_MS / RETRY_MS);
    h.timers.advance(1);
    const outcome = await running;
    expect(h.sent.filter((s) => s.to.host === '10.0.0.2')).toHaveLength(TIMEOUT_MS / RETRY_MS);
    expect(h.sent.filter((s) => s.to.host === '10.0.0.1')).toHaveLength(1);
    expect(h.timers.armed).toBe(0);
    expect(outcome.ok && outcome.value).toMatchObject({
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

  it('asks at most 64 members at once; each answer lets the next be asked; a silent one is given up after the timeout', async () => {
    const many: KeyPeer[] = Array.from({ length: 200 }, (_unused, i) => ({ name: `m${String(i).padStart(3, '0')}`, addr: { host: '10.1.0.1', port: 1000 + i } }));
    const h = harness([K1], many);
    const running = h.ops.run('list', null);
    expect(h.sent).toHaveLength(64);
    // The first 100 answer, one by one: each lets one more be asked.
    for (let i = 0; i < 100; i++) {
      const sent = requests(h)[0];
      h.ops.onResponse({ type: 'key-response', id: sent?.id ?? 0, name: nodeName(`m${String(i).padStart(3, '0')}`), ok: true, error: '', keyIds: [ID1], mode: 'enforce' });
    }
    expect(h.sent).toHaveLength(164);
    expect(new Set(h.sent.map((s) => s.to.port)).size).toBe(164);
    // The other 100 stay silent: 64 asked for the timeout, then the last 36 for another.
    h.timers.advance(TIMEOUT_MS);
    await settle();
    h.timers.advance(TIMEOUT_MS);
    const outcome = await running;
    expect(outcome.ok && outcome.value).toMatchObject({ members: 201, responded: 101 });
    expect(new Set(h.sent.map((s) => s.to.port)).size).toBe(200);
    expect(h.timers.armed).toBe(0);
  });

  it('ignores late, duplicate and unasked answers', async () => {
    const h = harness([K1], PEERS.slice(0, 1));
    const running = h.ops.run('list', null);
    answer(h, 'stranger', [ID2]);
    answer(h, 'p1', [ID1]);
    answer(h, 'p1', [ID2]);
    const outcome = await running;
    expect(outcome.ok && outcome.value.nodes).toEqual([
      { name: 'p1', ok: true, keyIds: [ID1], mode: 'enforce' },
      { name: 'self', ok: true, keyIds: [ID1], mode: 'enforce' },
    ]);
    expect(h.timers.armed).toBe(0);
    answer(h, 'p1', [ID2]);
  });

  it('refuses to use a key a peer lacks, or a silent peer might lack, and changes nothing', async () => {
    const h = harness([K1, K2], PEERS);
    const running = h.ops.run('use', K2);
    answer(h, 'p1', [ID1]);
    h.timers.advance(TIMEOUT_MS);
    const outcome = await running;
    expect(outcome).toEqual({
      ok: false,
      reason: 'would-cut-off',
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
    answer(h, 'p1', [ID2, ID1]);
    answer(h, 'p2', [ID1, ID2]);
    expect(await running).toMatchObject({ ok: false, reason: 'would-cut-off', error: expect.stringContaining('still the primary key of p2') });
    expect(h.keyring.keys()).toEqual([K2, K1]);
  });

  it.each([
    ['remove', K1, 'primary-key', 'the key is the primary key'],
    ['use', K2, 'not-installed', 'the key is not installed here'],
    ['install', 'short', 'invalid-key', 'key: not a base64 key'],
    ['install', null, 'invalid-key', 'key: a key must be a string, not null'],
  ] as const)('refuses %s %s at once, sending nothing', async (op, key, reason, message) => {
    const h = harness([K1], PEERS);
    expect(await h.ops.run(op, key)).toEqual({ ok: false, reason, error: expect.stringContaining(message) });
    expect(h.sent).toEqual([]);
  });

  it('refuses to install into a full keyring, sending nothing', async () => {
    const full = Array.from({ length: LIMITS.maxKeyringKeys }, (_, i) => Buffer.alloc(32, 16 + i).toString('base64'));
    const h = harness(full, PEERS);
    expect(await h.ops.run('install', K2)).toEqual({ ok: false, reason: 'keyring-full', error: expect.stringContaining('the keyring is full') });
    expect(h.sent).toEqual([]);
  });

  it('refuses more than four operations at once', async () => {
    const h = harness([K1], PEERS);
    const running = [1, 2, 3, 4].map(() => h.ops.run('list', null));
    expect(await h.ops.run('list', null)).toMatchObject({ ok: false, reason: 'busy' });
    h.timers.advance(TIMEOUT_MS);
    expect((await Promise.all(running)).map((outcome) => outcome.ok)).toEqual([true, true, true, true]);
    const fifth = h.ops.run('list', null);
    h.timers.advance(TIMEOUT_MS);
    expect(await fifth).toMatchObject({ ok: true });
  });

  it('gives each running operation its own id, drawing again when the random one is taken', async () => {
    const draws = [7, 7, 9];
    const h = harness([K1], PEERS.slice(0, 1), 'ok', () => draws.shift() ?? 0);
    const first = h.ops.run('list', null);
    const second = h.ops.run('list', null);
    expect(requests(h).map((r) => r.id)).toEqual([7, 9]);
    answer(h, 'p1', [ID1]);
    expect((await first).ok && (await second).ok).toBe(true);
  });

  it('finishes running operations when closed, and refuses new ones', async () => {
    const h = harness([K1], PEERS);
    const running = h.ops.run('list', null);
    h.ops.close();
    expect((await running).ok).toBe(true);
    expect(h.timers.armed).toBe(0);
    expect(await h.ops.run('list', null)).toMatchObject({ ok: false, reason: 'stopping' });
  });

  it('waits 5 probe intervals (at least 2 s) and resends every probe timeout (at least 100 ms)', () => {
    expect(keyOpTimings({ probeIntervalMs: 1000, probeTimeoutMs: 500 })).toEqual({ retryIntervalMs: 500, timeoutMs: 5000 });
    expect(keyOpTimings({ probeIntervalMs: 200, probeTimeoutMs: 50 })).toEqual({ retryIntervalMs: 100, timeoutMs: 2000 });
  });
});
