import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { jsonErrorOffset, jsonSyntaxProblem } from '../../src/config/json-syntax.js';
import { parseKeyringText } from '../../src/crypto/keyring-file.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { seededRandom } from '../../src/protocol/random.js';

// A malformed keyring or config file must not put key characters into an error: JSON.parse's
// own message quotes the text around the fault, so these errors give positions only.

/** Recognizable: no 4-character run of it is an English word or part of any message. */
const KEY = 'Zq9XvW7kPj3RmT5bYc1NhG8sLd4FwQ0eUa6IoE2tHrM=';

function fragments(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 4 <= text.length; i++) out.push(text.slice(i, i + 4));
  return out;
}

function expectNoKeyIn(output: string): void {
  expect(output.length).toBeGreaterThan(0);
  for (const piece of fragments(KEY)) expect(output, `"${piece}" of the key appears in:\n${output}`).not.toContain(piece);
}

const BROKEN: readonly [string, string][] = [
  ['an unquoted key', `{"keys": [${KEY}]}`],
  ['a missing comma', `{"keys": ["${KEY}" "${KEY}"]}`],
  ['a missing bracket', `{"keys": ["${KEY}"}`],
  ['a cut-off file', `{"keys": ["${KEY}`],
  ['a single-quoted key', `{"keys": ['${KEY}']}`],
  ['trailing text', `{"keys": ["${KEY}"]} ${KEY}`],
  ['the key alone', KEY],
  ['the key as a name', `{"${KEY}": true}`],
  ['the key as the document', JSON.stringify(KEY)],
  ['a bad escape next to the key', `{"keys": ["${KEY}\\x"]}`],
  ['a control character in the key', `{"keys": ["${KEY.slice(0, 20)}\u0001${KEY.slice(20)}"]}`],
  ['a second line', `{\n  "keys": [\n    "${KEY}"\n    "${KEY}"\n  ]\n}\n`],
];

describe('errors about a keyring file', () => {
  it.each(BROKEN)('never show a key: %s', (_name, text) => {
    const parsed = parseKeyringText(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expectNoKeyIn(parsed.errors.join('\n'));
  });

  it('say where the fault is, by line and column', () => {
    const parsed = parseKeyringText(`{\n  "keys": [\n    "${KEY}"\n    "x"\n  ]\n}\n`);
    expect(parsed).toEqual({ ok: false, errors: [`not valid JSON: syntax error at line 4, column 5 (character ${25 + KEY.length})`] });
    expect(parseKeyringText(`{"keys": ["${KEY}`)).toEqual({ ok: false, errors: [`not valid JSON: ends early, at line 1, column ${12 + KEY.length} (character ${11 + KEY.length})`] });
  });

  it.each(BROKEN)('never show a key through gossipd agent --keyring-file (stderr, exit 2): %s', async (_name, text) => {
    let output = '';
    const io: Partial<CliIo> = {
      stdout: (chunk) => (output += chunk),
      stderr: (chunk) => (output += chunk),
      env: {},
      readFile: (path) => {
        if (path === '/k.json') return text;
        throw new Error(`ENOENT: ${path}`);
      },
    };
    const code = await main(['node', 'gossipd', 'agent', '--keyring-file', '/k.json', '--bind', '127.0.0.1:0'], io);
    expect(code).toBe(2);
    expect(output).toContain('/k.json');
    expectNoKeyIn(output);
  });
});

describe('errors about a config file', () => {
  it.each(BROKEN.map(([name, text]): [string, string] => [name, text.replaceAll('"keys"', '"encrypt"')]))('never show a key: %s', (_name, text) => {
    const result = resolveConfig({
      flags: {},
      env: { GOSSIPD_CONFIG: '/etc/gossipd.json' },
      readFile: () => text,
      hostname: 'h',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expectNoKeyIn(result.errors.join('\n'));
  });

  it('still names a misspelt setting', () => {
    const result = resolveConfig({ flags: {}, env: { GOSSIPD_CONFIG: '/c.json' }, readFile: () => '{"encrpyt": "x"}', hostname: 'h' });
    expect(result.ok ? [] : result.errors).toContainEqual(expect.stringContaining('unknown key "encrpyt" (did you mean "encrypt"?)'));
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on valid and broken texts', () => {
    const random = seededRandom(7);
    const valid = [
      '{"keys": ["a", "b"], "n": -1.5e3, "t": true, "f": false, "z": null, "o": {"x": [1, {}, []]}}',
      '[]',
      ' "\\u00e9\\n\\"" ',
      '0',
      '{"a":[[[[1]]]]}',
    ];
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', 'a', '1', '-', '.', 'e', 't', 'n', 'u', '0', '\u0001'];
    let broken = 0;
    for (let round = 0; round < 20_000; round++) {
      let text = valid[Math.floor(random.next() * valid.length)] ?? '';
      const edits = 1 + Math.floor(random.next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random.next() * (text.length + 1));
        const kind = random.next();
        const char = alphabet[Math.floor(random.next() * alphabet.length)] ?? '';
        if (kind < 0.4) text = text.slice(0, at) + char + text.slice(at);
        else if (kind < 0.8) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + char + text.slice(at + 1);
      }
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
        broken++;
      }
      expect(jsonErrorOffset(text) === -1, JSON.stringify(text)).toBe(parses);
    }
    expect(broken).toBeGreaterThan(5000);
  });

  it('survives deep nesting', () => {
    expect(jsonErrorOffset('['.repeat(1_000_000))).toBe(1_000_000);
    expect(jsonSyntaxProblem('[')).toBe('ends early, at line 1, column 2 (character 1)');
  });
});
