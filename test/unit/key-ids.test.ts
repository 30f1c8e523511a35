import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveKeyRef } from '../../src/agent/key-ref.js';
import { Keyring } from '../../src/crypto/keyring.js';

// Key ids stand in for keys wherever a key need not travel: `gossipd keys use|remove ID`.

const K_A = Buffer.alloc(32, 7).toString('base64');
const K_B = Buffer.alloc(32, 8).toString('base64');

function keyring(): Keyring {
  const created = Keyring.create([K_A, K_B], 'c');
  if (!created.ok) throw new Error(created.error);
  return created.value;
}

describe('key ids in use and remove (resolveKeyRef)', () => {
  it('turns the id of a held key into the key, for use and remove only', () => {
    const ring = keyring();
    const [idA, idB] = ring.keyIds();
    expect(resolveKeyRef('use', idB ?? '', ring)).toEqual({ ok: true, value: K_B });
    expect(resolveKeyRef('remove', ` ${idA ?? ''}\n`, ring)).toEqual({ ok: true, value: K_A });
    // install needs the key: an id is passed on, and refused there as not a key.
    expect(resolveKeyRef('install', idB ?? '', ring)).toEqual({ ok: true, value: idB });
    expect(resolveKeyRef('use', K_B, ring)).toEqual({ ok: true, value: K_B });
    expect(resolveKeyRef('list', null, ring)).toEqual({ ok: true, value: null });
  });

  it('refuses an id no key here has, without a key in the message', () => {
    const refused = resolveKeyRef('use', 'abcdefabcdefabcd', keyring());
    expect(refused).toEqual({ ok: false, reason: 'not-installed', error: expect.stringContaining('no key with id abcdefabcdefabcd') });
    expect(JSON.stringify(refused)).not.toContain(K_A.slice(0, 8));
  });

  it('is the first 8 bytes of SHA-256 over "gossipd key id\\0" and the key bytes, in hex (as documented)', () => {
    const expected = createHash('sha256').update('gossipd key id\0').update(Buffer.from(K_A, 'base64')).digest('hex').slice(0, 16);
    expect(keyring().keyIds()[0]).toBe(expected);
  });
});
