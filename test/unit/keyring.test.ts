import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCodec, LIMITS } from '../../src/codec/index.js';
import { parseKeyringText, writeKeyringFile } from '../../src/crypto/keyring-file.js';
import { encryptedEnvelope } from '../../src/agent/encryption.js';
import { ENVELOPE_OVERHEAD_BYTES, ENVELOPE_VERSION, Keyring, type KeyringMode, type OpenResult } from '../../src/crypto/keyring.js';
import { generateKey, keyId, parseKey } from '../../src/crypto/keys.js';
import { seededRandom } from '../../src/protocol/random.js';
import { seqNo } from '../../src/protocol/types.js';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const K3 = Buffer.alloc(32, 3).toString('base64');
const CLUSTER = 'prod';

function ring(keys: readonly string[], cluster = CLUSTER): Keyring {
  const created = Keyring.create(keys, cluster);
  if (!created.ok) throw new Error(created.error);
  return created.value;
}

function datagram(bytes: number): Uint8Array {
  return Uint8Array.from({ length: bytes }, (_unused, index) => (index * 31) & 0xff);
}

function opened(result: OpenResult): Uint8Array {
  if (!result.ok) throw new Error(`expected to open, dropped: ${result.reason} ${result.error}`);
  return result.value;
}

function dropReason(result: OpenResult): string {
  return result.ok ? 'opened' : result.reason;
}

describe('keys', () => {
  it('parses the base64 of 32 bytes, ignoring surrounding whitespace', () => {
    const parsed = parseKey(` ${K1}\n`);
    expect(parsed.ok && parsed.value.text).toBe(K1);
    expect(parsed.ok && parsed.value.bytes.length).toBe(32);
  });

  it.each([
    ['too short', K1.slice(1), 'got 43 characters'],
    ['16 bytes', Buffer.alloc(16).toString('base64'), 'got 24 characters'],
    ['not base64', `${'!'.repeat(43)}=`, 'not a base64 key of 32 bytes'],
    ['non-canonical', `${K1.slice(0, 42)}B=`, 'not canonical base64'],
    ['empty', '', 'got 0 characters'],
  ])('refuses a key that is %s, without echoing it', (_label, text, message) => {
    const parsed = parseKey(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toBe('invalid-key');
      expect(parsed.error).toContain(message);
      if (text !== '') expect(parsed.error).not.toContain(text);
    }
  });

  it('refuses a non-string', () => {
    expect(parseKey(42)).toEqual({ ok: false, reason: 'invalid-key', error: 'a key must be a string, not number' });
  });

  it('generates distinct valid keys', () => {
    const a = generateKey();
    const b = generateKey();
    expect(parseKey(a).ok).toBe(true);
    expect(a).not.toBe(b);
  });

  it('names a key by a stable 16-hex-digit id', () => {
    const id = keyId(Buffer.from(K1, 'base64'));
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(keyId(Buffer.from(K1, 'base64'))).toBe(id);
    expect(keyId(Buffer.from(K2, 'base64'))).not.toBe(id);
  });
});

describe('Keyring.create', () => {
  it.each([
    [[], 'no-keys', 'at least one key'],
    [[K1, K2, K1], 'repeated-key', 'key 3 is listed twice'],
    [[K1, 'nope'], 'invalid-key', 'key 2: not a base64 key'],
    [Array.from({ length: 9 }, () => generateKey()), 'too-many-keys', 'at most 8 keys'],
  ])('refuses %j', (keys, reason, message) => {
    const created = Keyring.create(keys, CLUSTER);
    expect(created.ok).toBe(false);
    if (!created.ok) expect(created).toMatchObject({ reason, error: expect.stringContaining(message) });
  });
});

describe('seal and open', () => {
  it.each([100, 1400, LIMITS.maxDatagramBytes])('round-trips a %i-byte datagram with 29 bytes of overhead', (size) => {
    const keyring = ring([K1]);
    const plaintext = datagram(size);
    const sealed = keyring.seal(plaintext);
    expect(sealed.length).toBe(size + ENVELOPE_OVERHEAD_BYTES);
    expect(ENVELOPE_OVERHEAD_BYTES).toBe(29);
    expect(sealed[0]).toBe(ENVELOPE_VERSION);
    expect(Buffer.from(opened(ring([K1]).open(sealed)))).toEqual(Buffer.from(plaintext));
  });

  it('uses a fresh nonce for every datagram', () => {
    const keyring = ring([K1]);
    const nonces = new Set<string>();
    for (let i = 0; i < 1000; i++) nonces.add(keyring.seal(datagram(40)).subarray(1, 13).toString('hex'));
    expect(nonces.size).toBe(1000);
  });

  it('hides the plaintext', () => {
    const plaintext = Buffer.from('node-00001 alive at 10.0.0.1:7946, role=web'.repeat(3));
    expect(ring([K1]).seal(plaintext).includes(Buffer.from('node-00001'))).toBe(false);
  });

  it('drops a datagram sealed with a key that is not installed', () => {
    expect(dropReason(ring([K2, K3]).open(ring([K1]).seal(datagram(100))))).toBe('decrypt-failed');
  });

  it('drops a datagram of another cluster with the same key (the cluster name is authenticated)', () => {
    expect(dropReason(ring([K1], 'staging').open(ring([K1], 'prod').seal(datagram(100))))).toBe('decrypt-failed');
  });

  it('drops a datagram with any single byte changed', () => {
    const keyring = ring([K1]);
    const sealed = keyring.seal(datagram(64));
    for (let index = 0; index < sealed.length; index++) {
      const tampered = Buffer.from(sealed);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      const reason = dropReason(keyring.open(tampered));
      expect(reason, `byte ${index}`).toBe(index === 0 ? 'bad-version' : 'decrypt-failed');
    }
  });

  it('drops a truncated or extended datagram', () => {
    const keyring = ring([K1]);
    const sealed = keyring.seal(datagram(64));
    for (let length = 0; length < sealed.length; length++) {
      expect(['too-short', 'decrypt-failed', 'bad-version']).toContain(dropReason(keyring.open(sealed.subarray(0, length))));
    }
    expect(dropReason(keyring.open(Buffer.concat([sealed, Buffer.from([0])])))).toBe('decrypt-failed');
  });

  it('drops plaintext datagrams, and oversized ones before any decryption', () => {
    const keyring = ring([K1]);
    const plaintext = createCodec({ cluster: CLUSTER }).encode([{ type: 'ack', seq: seqNo(1) }]);
    expect(keyring.open(plaintext)).toMatchObject({ ok: false, reason: 'not-encrypted' });
    const huge = Buffer.alloc(LIMITS.maxDatagramBytes + ENVELOPE_OVERHEAD_BYTES + 1, ENVELOPE_VERSION);
    expect(dropReason(keyring.open(huge))).toBe('too-large');
  });

  it('encrypts with the primary key and decrypts with every installed key', () => {
    const both = ring([K1, K2]);
    const fromBoth = both.seal(datagram(100));
    expect(dropReason(ring([K1]).open(fromBoth))).toBe('opened');
    expect(dropReason(ring([K2]).open(fromBoth))).toBe('decrypt-failed');
    expect(dropReason(both.open(ring([K1]).seal(datagram(100))))).toBe('opened');
    expect(dropReason(both.open(ring([K2]).seal(datagram(100))))).toBe('opened');
    expect(dropReason(both.open(ring([K3]).seal(datagram(100))))).toBe('decrypt-failed');
  });

  it('never throws on random bytes', () => {
    const random = seededRandom(5);
    const keyring = ring([K1, K2]);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(random.next() * 200) }, () => Math.floor(random.next() * 256));
      if (i % 2 === 0 && bytes.length > 0) bytes[0] = ENVELOPE_VERSION;
      expect(keyring.open(bytes).ok).toBe(false);
    }
  });
});

describe('keyring changes', () => {
  it('installs a key once, and refuses a full keyring', () => {
    const keyring = ring([K1]);
    expect(keyring.install(K2)).toEqual({ ok: true, value: true });
    expect(keyring.install(`${K2}\n`)).toEqual({ ok: true, value: false });
    expect(keyring.keys()).toEqual([K1, K2]);
    for (let i = 2; i < LIMITS.maxKeyringKeys; i++) keyring.install(generateKey());
    expect(keyring.install(K3)).toMatchObject({ ok: false, reason: 'keyring-full', error: expect.stringContaining('full') });
  });

  it('uses only an installed key, which then encrypts', () => {
    const keyring = ring([K1, K2]);
    expect(keyring.use(K3)).toMatchObject({ ok: false, reason: 'not-installed', error: expect.stringContaining('not installed') });
    expect(keyring.use(K2)).toEqual({ ok: true, value: true });
    expect(keyring.use(K2)).toEqual({ ok: true, value: false });
    expect(keyring.primaryKey).toBe(K2);
    expect(keyring.keys()).toEqual([K2, K1]);
    expect(dropReason(ring([K2]).open(keyring.seal(datagram(50))))).toBe('opened');
  });

  it('refuses to remove the primary key, and forgets others', () => {
    const keyring = ring([K1, K2]);
    expect(keyring.remove(K1)).toMatchObject({ ok: false, reason: 'primary-key', error: expect.stringContaining('primary') });
    expect(keyring.remove(K2)).toEqual({ ok: true, value: true });
    expect(keyring.remove(K2)).toEqual({ ok: true, value: false });
    expect(keyring.keys()).toEqual([K1]);
    expect(dropReason(keyring.open(ring([K2]).seal(datagram(50))))).toBe('decrypt-failed');
  });

  it('forgets a removed key even if it opened the last datagram', () => {
    const keyring = ring([K1, K2]);
    expect(dropReason(keyring.open(ring([K2]).seal(datagram(50))))).toBe('opened');
    keyring.remove(K2);
    expect(dropReason(keyring.open(ring([K2]).seal(datagram(50))))).toBe('decrypt-failed');
    expect(dropReason(keyring.open(ring([K1]).seal(datagram(50))))).toBe('opened');
  });

  it('refuses a malformed key in every operation', () => {
    const keyring = ring([K1]);
    for (const change of [keyring.install('x'), keyring.use('x'), keyring.remove('x')]) {
      expect(change).toMatchObject({ ok: false, reason: 'invalid-key', error: expect.stringContaining('not a base64 key') });
    }
  });

  it('lists key ids in keyring order', () => {
    expect(ring([K2, K1]).keyIds()).toEqual([keyId(Buffer.from(K2, 'base64')), keyId(Buffer.from(K1, 'base64'))]);
  });
});

describe('keyring modes', () => {
  function modal(keys: readonly string[], mode: KeyringMode): Keyring {
    const created = Keyring.create(keys, CLUSTER, mode);
    if (!created.ok) throw new Error(created.error);
    return created.value;
  }
  const codec = createCodec({ cluster: CLUSTER });
  const plain = (): Uint8Array => codec.encode([{ type: 'ack', seq: seqNo(1) }]);

  it('walks plaintext → install → use → enforce → relax', () => {
    const keyring = modal([], 'plaintext');
    expect(keyring.primaryKey).toBeNull();
    expect(keyring.enforce()).toMatchObject({ ok: false, reason: 'no-key-in-use' });
    expect(keyring.install(K1)).toEqual({ ok: true, value: true });
    expect(keyring.mode).toBe('plaintext');
    expect(keyring.use(K1)).toEqual({ ok: true, value: true });
    expect(keyring.mode).toBe('encrypt');
    expect(keyring.primaryKey).toBe(K1);
    expect(keyring.enforce()).toEqual({ ok: true, value: true });
    expect(keyring.enforce()).toEqual({ ok: true, value: false });
    expect(keyring.relax()).toEqual({ ok: true, value: true });
    expect(keyring.mode).toBe('encrypt');
    expect(keyring.relax()).toEqual({ ok: true, value: false });
  });

  it('in plaintext, any installed key may be removed (none is primary); once in use, not the primary', () => {
    const keyring = modal([K1, K2], 'plaintext');
    expect(keyring.remove(K1)).toEqual({ ok: true, value: true });
    expect(keyring.use(K2).ok).toBe(true);
    expect(keyring.remove(K2)).toMatchObject({ ok: false, reason: 'primary-key' });
  });

  it('refuses no keys outside plaintext', () => {
    expect(Keyring.create([], CLUSTER, 'encrypt')).toMatchObject({ ok: false, reason: 'no-keys' });
  });

  it('an envelope follows the mode: plaintext passes both ways until enforce', () => {
    const keyring = modal([], 'plaintext');
    const envelope = encryptedEnvelope(keyring);
    const sealedElsewhere = ring([K1]).seal(plain());
    expect(envelope.overheadBytes).toBe(ENVELOPE_OVERHEAD_BYTES);
    expect(envelope.seal(plain())).toEqual(plain());
    expect(dropReason(envelope.open(sealedElsewhere))).toBe('unexpected-encryption');
    keyring.install(K1);
    expect(opened(envelope.open(sealedElsewhere))).toEqual(plain());
    expect(opened(envelope.open(plain()))).toEqual(plain());
    keyring.use(K1);
    expect(envelope.seal(plain())[0]).toBe(ENVELOPE_VERSION);
    expect(opened(envelope.open(plain()))).toEqual(plain());
    keyring.enforce();
    expect(dropReason(envelope.open(plain()))).toBe('not-encrypted');
    expect(opened(envelope.open(envelope.seal(plain())))).toEqual(plain());
    keyring.relax();
    expect(opened(envelope.open(plain()))).toEqual(plain());
  });
});

describe('keyring file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('parses {"keys": [...]}, primary first', () => {
    expect(parseKeyringText(JSON.stringify({ keys: [K2, K1] }))).toEqual({ ok: true, value: { keys: [K2, K1], mode: 'enforce' } });
  });

  it('parses a mode, and an empty keyring in plaintext mode', () => {
    expect(parseKeyringText(JSON.stringify({ keys: [K1], mode: 'encrypt' }))).toEqual({ ok: true, value: { keys: [K1], mode: 'encrypt' } });
    expect(parseKeyringText(JSON.stringify({ keys: [], mode: 'plaintext' }))).toEqual({ ok: true, value: { keys: [], mode: 'plaintext' } });
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['an array', JSON.stringify([K1]), 'must hold a JSON object'],
    ['no keys', '{}', '"keys" must be an array'],
    ['empty keys', '{"keys": []}', '"keys" is empty'],
    ['a bad key', JSON.stringify({ keys: [K1, 'abc'] }), 'keys[1]: not a base64 key'],
    ['a repeated key', JSON.stringify({ keys: [K1, K1] }), 'keys[1] repeats an earlier key'],
    ['an unknown field', JSON.stringify({ keys: [K1], primary: K1 }), 'unknown key "primary"'],
    ['an unknown mode', JSON.stringify({ keys: [K1], mode: 'on' }), '"mode" must be one of "plaintext", "encrypt", "enforce"'],
    ['no key in encrypt mode', JSON.stringify({ keys: [], mode: 'encrypt' }), '"keys" is empty'],
    ['too many keys', JSON.stringify({ keys: Array.from({ length: 9 }, () => generateKey()) }), 'at most 8'],
  ])('refuses %s', (_label, text, message) => {
    const parsed = parseKeyringText(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join('\n')).toContain(message);
  });

  it('writes atomically, readable by the owner only, leaving no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipd-keyring-'));
    dirs.push(dir);
    const path = join(dir, 'keyring.json');
    writeFileSync(path, JSON.stringify({ keys: [K1] }));
    writeKeyringFile(path, { keys: [K2, K1], mode: 'encrypt' });
    expect(parseKeyringText(readFileSync(path, 'utf8'))).toEqual({ ok: true, value: { keys: [K2, K1], mode: 'encrypt' } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['keyring.json']);
  });

  it('throws when the directory is missing', () => {
    expect(() => writeKeyringFile(join(tmpdir(), 'gossipd-no-such-dir', 'keyring.json'), { keys: [K1], mode: 'enforce' })).toThrow(/ENOENT/);
  });
});
