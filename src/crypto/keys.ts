import { createHash, randomBytes } from 'node:crypto';
import { isKeyText } from '../codec/fields.js';
import { LIMITS } from '../codec/limits.js';
import { failure, success, type Result } from '../result.js';

/** AES-256: a key is 32 random bytes, written as 44 base64 characters. */
export const KEY_BYTES = 32;

/** A key in its one canonical text and as bytes. */
export interface ParsedKey {
  readonly text: string;
  readonly bytes: Buffer;
}

export type KeyParse = Result<ParsedKey, 'invalid-key'>;

/**
 * A key from its base64 text (surrounding whitespace ignored: keys come from files and
 * environment variables). Only the canonical spelling is accepted, so one key has one text
 * and keyrings can compare keys as strings. Errors never include the text: a near-miss may
 * still be a secret.
 */
export function parseKey(raw: unknown): KeyParse {
  if (typeof raw !== 'string') return failure('invalid-key', `a key must be a string, not ${raw === null ? 'null' : typeof raw}`);
  const text = raw.trim();
  const length = text.length;
  if (!isKeyText(text)) {
    return failure(
      'invalid-key',
      `not a base64 key of ${KEY_BYTES} bytes (${LIMITS.keyTextChars} characters ending in "="; ` +
        `got ${length} characters); make one with: gossipd keygen`,
    );
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== KEY_BYTES || bytes.toString('base64') !== text) {
    return failure('invalid-key', 'not canonical base64 (its last characters carry stray bits); make one with: gossipd keygen');
  }
  return success({ text, bytes });
}

/** A fresh key from the OS's cryptographic random source. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * A short public name for a key: the first 8 bytes of SHA-256 over a label and the key, in
 * hex. Members report key ids, never keys, so `gossipd keys list` shows what each member holds
 * without sending secrets around; recovering a key from its id means inverting SHA-256.
 */
export function keyId(bytes: Uint8Array): string {
  return createHash('sha256').update('gossipd key id\0').update(bytes).digest('hex').slice(0, LIMITS.keyIdChars);
}
