import { describe, expect, it } from 'vitest';
import { resolveConfig, type AgentConfig } from '../../src/config.js';
import { KEY_SPECS } from '../../src/config/keys.js';

// --encrypt, --keyring-file and --http-token: each a flag, a GOSSIPD_* variable and a file
// key; every problem reported at once, naming the option, and never echoing a secret.

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const TOKEN = '0123456789abcdef0123';

interface Input {
  readonly flags?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  /** Files by path; "gossipd.json" is the config file when GOSSIPD_CONFIG names it. */
  readonly files?: Record<string, string>;
}

function resolve(input: Input): ReturnType<typeof resolveConfig> {
  return resolveConfig({
    flags: input.flags ?? {},
    env: input.env ?? {},
    readFile: (path) => {
      const text = input.files?.[path];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
    hostname: 'host-a',
  });
}

function config(input: Input): AgentConfig {
  const result = resolve(input);
  if (!result.ok) throw new Error(`expected a config, got:\n${result.errors.join('\n')}`);
  return result.value;
}

function errors(input: Input): readonly string[] {
  const result = resolve(input);
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors;
}

describe('encryption options', () => {
  it('names each option as a flag, a variable and a file key', () => {
    expect([KEY_SPECS.encrypt.flag, KEY_SPECS.encrypt.env, KEY_SPECS.encrypt.key]).toEqual(['--encrypt', 'GOSSIPD_ENCRYPT', 'encrypt']);
    expect([KEY_SPECS.keyringFile.flag, KEY_SPECS.keyringFile.env, KEY_SPECS.keyringFile.key]).toEqual([
      '--keyring-file',
      'GOSSIPD_KEYRING_FILE',
      'keyringFile',
    ]);
    expect([KEY_SPECS.httpToken.flag, KEY_SPECS.httpToken.env, KEY_SPECS.httpToken.key]).toEqual([
      '--http-token',
      'GOSSIPD_HTTP_TOKEN',
      'httpToken',
    ]);
  });

  it('is off by default', () => {
    expect(config({})).toMatchObject({ encrypt: null, keyringFile: null, httpToken: null });
  });

  it('takes a key from the flag, the environment or the config file', () => {
    expect(config({ flags: { encrypt: K1 } }).encrypt).toBe(K1);
    expect(config({ env: { GOSSIPD_ENCRYPT: `${K1}\n` } }).encrypt).toBe(K1);
    const file = { 'gossipd.json': JSON.stringify({ encrypt: K2 }) };
    expect(config({ env: { GOSSIPD_CONFIG: 'gossipd.json' }, files: file }).encrypt).toBe(K2);
    expect(config({ flags: { encrypt: K1 }, env: { GOSSIPD_CONFIG: 'gossipd.json' }, files: file }).encrypt).toBe(K1);
  });

  it.each([
    ['short', K1.slice(4)],
    ['hex', 'ab'.repeat(32)],
    ['non-canonical', `${K1.slice(0, 42)}B=`],
  ])('refuses a %s key, naming the option and not showing the key', (_label, key) => {
    const found = errors({ flags: { encrypt: key } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^--encrypt: not (a base64 key of 32 bytes|canonical base64)/);
    expect(found[0]).not.toContain(key);
  });

  it('reads and checks a keyring file', () => {
    const files = { '/etc/gossipd/keyring.json': JSON.stringify({ keys: [K2, K1] }) };
    expect(config({ flags: { keyringFile: '/etc/gossipd/keyring.json' }, files }).keyringFile).toBe('/etc/gossipd/keyring.json');
  });

  it.each([
    [{}, /^--keyring-file: cannot read "\/k\.json": ENOENT/],
    [{ '/k.json': '{"keys": []}' }, /^--keyring-file: \/k\.json: "keys" is empty/],
    [{ '/k.json': JSON.stringify({ keys: [K1, 'x'] }) }, /^--keyring-file: \/k\.json: keys\[1\]: not a base64 key/],
    [{ '/k.json': 'keys' }, /^--keyring-file: \/k\.json: not valid JSON/],
  ])('refuses the keyring file %j', (files, pattern) => {
    const found = errors({ flags: { keyringFile: '/k.json' }, files });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(pattern);
  });

  it('refuses --encrypt together with --keyring-file', () => {
    const files = { '/k.json': JSON.stringify({ keys: [K1] }) };
    expect(errors({ flags: { encrypt: K1 }, env: { GOSSIPD_KEYRING_FILE: '/k.json' }, files })).toEqual([
      '--encrypt and GOSSIPD_KEYRING_FILE are exclusive: put the key in the keyring file (its first key encrypts)',
    ]);
  });
});

describe('HTTP token', () => {
  it('is needed when the endpoint is not on loopback', () => {
    const found = errors({ flags: { http: '0.0.0.0:7947' } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^--http: 0\.0\.0\.0:7947 is not a loopback address, so the endpoint needs a token: set --http-token/);
    expect(errors({ env: { GOSSIPD_HTTP: '10.0.0.5:7947' } })[0]).toMatch(/^GOSSIPD_HTTP: 10\.0\.0\.5:7947 is not a loopback/);
    expect(errors({ flags: { http: 'gossip.example.com:7947' } })[0]).toContain('is not a loopback address');
  });

  it('is accepted from the flag, the environment or the file, off loopback', () => {
    expect(config({ flags: { http: '0.0.0.0:7947', httpToken: TOKEN } }).httpToken).toBe(TOKEN);
    expect(config({ flags: { http: '[::]:7947' }, env: { GOSSIPD_HTTP_TOKEN: TOKEN } }).httpToken).toBe(TOKEN);
    const files = { 'gossipd.json': JSON.stringify({ http: '10.0.0.5:7947', httpToken: TOKEN }) };
    expect(config({ env: { GOSSIPD_CONFIG: 'gossipd.json' }, files }).httpToken).toBe(TOKEN);
  });

  it('is optional on any loopback address, and then still enforced if given', () => {
    for (const http of ['127.0.0.1:7947', '127.0.0.2:7947', '[::1]:7947', 'localhost:7947']) {
      expect(config({ flags: { http } }).httpToken).toBeNull();
    }
    expect(config({ flags: { httpToken: TOKEN } }).httpToken).toBe(TOKEN);
  });

  it.each([
    ['too short', 'abc', 'a token must be 16..512 characters, got 3'],
    ['with a space', 'correct horse battery staple', 'a token may hold only visible ASCII characters'],
    ['non-ASCII', 'ünïcødé-tøkén-1234', 'a token may hold only visible ASCII characters'],
  ])('refuses a token %s without showing it', (_label, token, message) => {
    const found = errors({ flags: { httpToken: token } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^--http-token: ${message}`));
    expect(found[0]).not.toContain(token);
  });

  it('reports a bad token once, not also as a missing one', () => {
    expect(errors({ flags: { http: '0.0.0.0:7947', httpToken: 'short' } })).toHaveLength(1);
  });
});
