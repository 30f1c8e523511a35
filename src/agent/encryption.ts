import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../config.js';
import { ENVELOPE_OVERHEAD_BYTES, ENVELOPE_VERSION, Keyring, type OpenResult } from '../crypto/keyring.js';
import { parseKeyringText, writeKeyringFile, type KeyringFileState } from '../crypto/keyring-file.js';
import { failure, success } from '../result.js';

/** What the agent wraps around each codec datagram: nothing, or an encrypted envelope. */
export interface Envelope {
  /** Bytes added to every datagram; the core reserves them when it fills packets. */
  readonly overheadBytes: number;
  seal(datagram: Uint8Array): Uint8Array;
  /** The codec datagram inside, or why the datagram is dropped. Never throws. */
  open(bytes: Uint8Array): OpenResult;
}

const UNEXPECTED_ENCRYPTION = 'an encrypted datagram, and this agent has no key (give it --encrypt or --keyring-file, or gossipd keys install)';

/** No encryption: datagrams pass as they are, but an encrypted one is recognised and dropped. */
export const PLAINTEXT_ENVELOPE: Envelope = {
  overheadBytes: 0,
  seal: (datagram) => datagram,
  open: (bytes) => (bytes[0] === ENVELOPE_VERSION ? failure('unexpected-encryption', UNEXPECTED_ENCRYPTION) : success(bytes)),
};

/**
 * The envelope a keyring's mode asks for, read at every datagram so that `gossipd keys use`,
 * `enforce` and `relax` take effect at once: `plaintext` seals nothing, the other modes seal
 * with the primary key; encrypted datagrams are opened with any installed key; plaintext ones
 * pass unless the mode is `enforce`. The overhead is always reserved: a member that starts
 * sealing mid-run must not overflow the packets its core has already sized.
 */
export function encryptedEnvelope(keyring: Keyring): Envelope {
  return {
    overheadBytes: ENVELOPE_OVERHEAD_BYTES,
    seal: (datagram) => (keyring.mode === 'plaintext' ? datagram : keyring.seal(datagram)),
    open: (bytes) => {
      if (bytes[0] === ENVELOPE_VERSION) {
        return keyring.hasKeys ? keyring.open(bytes) : failure('unexpected-encryption', UNEXPECTED_ENCRYPTION);
      }
      // Enforced: the keyring reports plaintext (and anything else) as the drop it is.
      return keyring.mode === 'enforce' ? keyring.open(bytes) : success(bytes);
    },
  };
}

/**
 * The agent's keyring from --encrypt or --keyring-file, or an empty `plaintext` one when
 * encryption is off (so that `gossipd keys install` can switch it on live). resolveConfig has
 * already checked both, so a failure here means the file changed since: it throws, and the
 * agent does not start.
 */
export function loadKeyring(config: AgentConfig): Keyring {
  let state: KeyringFileState;
  if (config.keyringFile !== null) {
    const text = readKeyringFile(config.keyringFile);
    const parsed = parseKeyringText(text);
    if (!parsed.ok) throw new Error(`--keyring-file ${config.keyringFile}: ${parsed.errors.join('; ')}`);
    state = parsed.value;
  } else if (config.encrypt !== null) {
    state = { keys: [config.encrypt], mode: 'enforce' };
  } else {
    state = { keys: [], mode: 'plaintext' };
  }
  const created = Keyring.create(state.keys, config.cluster, state.mode);
  if (!created.ok) throw new Error(`cannot set up encryption: ${created.error}`);
  return created.value;
}

/** Writes the keyring (keys and mode) back to --keyring-file, if one was given; see writeKeyringFile. */
export function keyringSaver(config: AgentConfig, keyring: Keyring): (() => void) | null {
  const path = config.keyringFile;
  return path === null ? null : () => writeKeyringFile(path, { keys: keyring.keys(), mode: keyring.mode });
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
