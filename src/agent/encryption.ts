import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../config.js';
import { ENVELOPE_OVERHEAD_BYTES, ENVELOPE_VERSION, Keyring, type OpenResult } from '../crypto/keyring.js';
import { parseKeyringText, writeKeyringFile } from '../crypto/keyring-file.js';
import { failure, success } from '../result.js';

/** What the agent wraps around each codec datagram: nothing, or an encrypted envelope. */
export interface Envelope {
  /** Bytes added to every datagram; the core reserves them when it fills packets. */
  readonly overheadBytes: number;
  seal(datagram: Uint8Array): Uint8Array;
  /** The codec datagram inside, or why the datagram is dropped. Never throws. */
  open(bytes: Uint8Array): OpenResult;
}

/** No encryption: datagrams pass as they are, but an encrypted one is recognised and dropped. */
export const PLAINTEXT_ENVELOPE: Envelope = {
  overheadBytes: 0,
  seal: (datagram) => datagram,
  open: (bytes) =>
    bytes[0] === ENVELOPE_VERSION
      ? failure('unexpected-encryption', 'an encrypted datagram, and this agent has no key (give it --encrypt or --keyring-file)')
      : success(bytes),
};

export function encryptedEnvelope(keyring: Keyring): Envelope {
  return {
    overheadBytes: ENVELOPE_OVERHEAD_BYTES,
    seal: (datagram) => keyring.seal(datagram),
    open: (bytes) => keyring.open(bytes),
  };
}

/**
 * The agent's keyring from --encrypt or --keyring-file, or null when encryption is off.
 * resolveConfig has already checked both, so a failure here means the file changed since:
 * it throws, and the agent does not start.
 */
export function loadKeyring(config: AgentConfig): Keyring | null {
  let keys: readonly string[];
  if (config.keyringFile !== null) {
    const text = readKeyringFile(config.keyringFile);
    const parsed = parseKeyringText(text);
    if (!parsed.ok) throw new Error(`--keyring-file ${config.keyringFile}: ${parsed.errors.join('; ')}`);
    keys = parsed.value;
  } else if (config.encrypt !== null) {
    keys = [config.encrypt];
  } else {
    return null;
  }
  const created = Keyring.create(keys, config.cluster);
  if (!created.ok) throw new Error(`cannot set up encryption: ${created.error}`);
  return created.value;
}

/** Writes the keyring back to --keyring-file, if one was given; see writeKeyringFile. */
export function keyringSaver(config: AgentConfig, keyring: Keyring): (() => void) | null {
  const path = config.keyringFile;
  return path === null ? null : () => writeKeyringFile(path, keyring.keys());
}

function readKeyringFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`--keyring-file: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
