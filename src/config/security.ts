import { parseKeyringText } from '../crypto/keyring-file.js';
import { parseKey } from '../crypto/keys.js';
import { MAX_TOKEN_CHARS, MIN_TOKEN_CHARS } from '../http/limits.js';
import { addressKey } from '../protocol/types.js';
import { isLoopbackHost } from './loopback.js';
import { show, type Parsed, type Syntax } from './parsed.js';
import { invalid, valid } from '../result.js';
import type { OriginOf } from './rules.js';
import type { AgentConfig, ConfigSources } from './types.js';

/** Visible ASCII: what an Authorization header can carry without quoting or encoding. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** --encrypt: a base64 key; `null` in the file spells "off". Errors never echo the key. */
export function parseKeyOption(raw: unknown, syntax: Syntax): Parsed<string | null> {
  if (raw === null && syntax === 'file') return valid(null);
  const parsed = parseKey(raw);
  return parsed.ok ? valid(parsed.value.text) : invalid(parsed.error);
}

/** --http-token: visible ASCII, long enough not to be guessed; `null` in the file spells "none". */
export function parseToken(raw: unknown, syntax: Syntax): Parsed<string | null> {
  if (raw === null && syntax === 'file') return valid(null);
  if (typeof raw !== 'string') return invalid(`a token must be a string, not ${raw === null ? 'null' : typeof raw}`);
  if (raw.length < MIN_TOKEN_CHARS || raw.length > MAX_TOKEN_CHARS) {
    const range = `${MIN_TOKEN_CHARS}..${MAX_TOKEN_CHARS}`;
    return invalid(`a token must be ${range} characters, got ${raw.length} (make one with: openssl rand -hex 16)`);
  }
  if (!TOKEN_CHARS.test(raw)) return invalid('a token may hold only visible ASCII characters (no spaces)');
  return valid(raw);
}

/**
 * Rules about keys and the HTTP endpoint that need more than one field, or a file: a keyring
 * file is read and checked now, so a bad one is a config error (exit 2) naming the option,
 * not a failure after the agent has started.
 */
export function checkSecurity(
  config: AgentConfig,
  originOf: OriginOf,
  invalid: ReadonlySet<keyof AgentConfig>,
  readFile: ConfigSources['readFile'],
): string[] {
  const errors: string[] = [];
  if (config.encrypt !== null && config.keyringFile !== null) {
    errors.push(
      `${originOf('encrypt')} and ${originOf('keyringFile')} are exclusive: put the key in the keyring file ` +
        '(its first key encrypts)',
    );
  } else if (config.keyringFile !== null) {
    errors.push(...checkKeyringFile(config.keyringFile, originOf('keyringFile'), readFile));
  }
  if (!invalid.has('http') && !invalid.has('httpToken') && config.httpToken === null && !isLoopbackHost(config.http.host)) {
    errors.push(
      `${originOf('http')}: ${addressKey(config.http)} is not a loopback address, so the endpoint needs a token: ` +
        'set --http-token or GOSSIPD_HTTP_TOKEN (join, leave and keys then require "Authorization: Bearer <token>")',
    );
  }
  return errors;
}

function checkKeyringFile(path: string, origin: string, readFile: ConfigSources['readFile']): string[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return [`${origin}: cannot read ${show(path)}: ${error instanceof Error ? error.message : String(error)}`];
  }
  const parsed = parseKeyringText(text);
  return parsed.ok ? [] : parsed.errors.map((error) => `${origin}: ${path}: ${error}`);
}
