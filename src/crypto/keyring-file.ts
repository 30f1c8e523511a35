import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LIMITS } from '../codec/limits.js';
import { jsonSyntaxProblem, showPropertyName } from '../config/json-syntax.js';
import type { KeyringMode } from '../protocol/messages.js';
import { invalid, valid, type Checked } from '../result.js';
import { parseKey } from './keys.js';

/**
 * A keyring file is JSON: {"keys": ["<primary>", "<other>", ...], "mode": "enforce"}, keys in
 * base64, the first one primary. `mode` (see KeyringMode) is optional and defaults to
 * `enforce`, what a keyring file always meant before modes; in `plaintext` no key is primary
 * and "keys" may be empty. `gossipd keys install|use|remove|enforce|relax` rewrite it, so a
 * restarted agent comes back with the keyring and mode the cluster has moved to.
 */
export interface KeyringFileState {
  readonly keys: readonly string[];
  readonly mode: KeyringMode;
}

export type KeyringFileParse = Checked<KeyringFileState>;

const MODES: readonly KeyringMode[] = ['plaintext', 'encrypt', 'enforce'];

const EXAMPLE = '{"keys": ["<base64 key from gossipd keygen>"]}';

/** Every problem with a keyring file's text, each on its own line. Never shows a key. */
export function parseKeyringText(text: string): KeyringFileParse {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // Never JSON.parse's message: it quotes the text around the fault, key characters included.
    return invalid(`not valid JSON: ${jsonSyntaxProblem(text)}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return invalid(`must hold a JSON object like ${EXAMPLE}`);
  }
  const errors = Object.keys(document)
    .filter((key) => key !== 'keys' && key !== 'mode')
    .map((key) => `unknown key ${showPropertyName(key)} (expected only "keys" and "mode")`);
  const rawMode: unknown = (document as { readonly mode?: unknown }).mode ?? 'enforce';
  const mode = MODES.find((known) => known === rawMode);
  if (mode === undefined) errors.push(`"mode" must be one of ${MODES.map((known) => `"${known}"`).join(', ')}`);
  const raw: unknown = (document as { readonly keys?: unknown }).keys;
  if (!Array.isArray(raw)) return invalid(...errors, `"keys" must be an array of base64 keys, as in ${EXAMPLE}`);
  const items: readonly unknown[] = raw;
  if (items.length === 0 && mode !== 'plaintext') errors.push('"keys" is empty: the first key is the one that encrypts');
  if (items.length > LIMITS.maxKeyringKeys) errors.push(`"keys" has ${items.length} keys (at most ${LIMITS.maxKeyringKeys})`);
  const keys: string[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = parseKey(item);
    if (!parsed.ok) errors.push(`keys[${index}]: ${parsed.error}`);
    else if (keys.includes(parsed.value.text)) errors.push(`keys[${index}] repeats an earlier key`);
    else keys.push(parsed.value.text);
  }
  return errors.length === 0 && mode !== undefined ? valid({ keys, mode }) : invalid(...errors);
}

/** The text written for a keyring, primary first. */
export function keyringText(state: KeyringFileState): string {
  return `${JSON.stringify({ keys: state.keys, mode: state.mode }, null, 2)}\n`;
}

/**
 * Replaces the keyring file atomically: a temporary file in the same directory, fsync,
 * rename over the old one, fsync of the directory. A crash leaves either the old keyring or
 * the new one, never half of one — a torn keyring would lock the agent out of its cluster.
 * Readable by the owner only. Synchronous: it runs once per operator command, and a keyring
 * must be on disk before the agent reports the change as done. Throws on failure.
 */
export function writeKeyringFile(path: string, state: KeyringFileState): void {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, keyringText(state));
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
  syncDirectory(directory);
}

function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
