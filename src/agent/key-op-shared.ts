import type { Logger } from 'pino';
import type { Keyring, KeyringChange, KeyringRefusal } from '../crypto/keyring.js';
import type { KeyMessage, KeyOp } from '../protocol/messages.js';
import type { Address } from '../protocol/types.js';
import { failure, type Result } from '../result.js';

/** What the originator and the responder of key operations share (see key-ops.ts). */

export interface KeyPeer {
  readonly name: string;
  readonly addr: Address;
}

/** This agent's keyring and how it talks about it: all a responder needs. */
export interface KeyringDeps {
  /** This agent's member name, reported in its answers. */
  readonly name: string;
  readonly keyring: Keyring;
  readonly send: (to: Address, message: KeyMessage) => void;
  /** Saves the keyring after a change (to the keyring file); null when there is no file. Throws on failure. */
  readonly persist: (() => void) | null;
  readonly logger: Logger;
  /** Wall clock in ms: request ages are compared across hosts, so a monotonic clock will not do. */
  readonly wallClockMs: () => number;
  /** Whether an address is a known member's: plaintext key requests are taken only from those. */
  readonly isMemberAddress: (addr: Address) => boolean;
}

/**
 * Starts a one-shot timer and returns what cancels it (a no-op once it has fired). Injected so
 * that tests drive key operations without real time.
 */
export type SetTimer = (callback: () => void, delayMs: number) => () => void;

/** A key operation that changes a keyring. */
export type KeyChange = Exclude<KeyOp, 'list'>;

/**
 * Why a change did not fully happen: the keyring's refusal (nothing changed), or `not-saved`
 * (it changed here, but the keyring file could not be written).
 */
export type AppliedRefusal = KeyringRefusal | 'not-saved';

/** A change applied to this agent's keyring (value: whether anything changed), or why not. */
export type Applied = Result<boolean, AppliedRefusal>;

/** Applies one change to the keyring and saves it if it changed. `text` is ignored by enforce and relax. */
export function applyKeyChange(deps: KeyringDeps, op: KeyChange, text: string): Applied {
  const change = changeKeyring(deps.keyring, op, text);
  if (!change.ok || !change.value || deps.persist === null) return change;
  try {
    deps.persist();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error({ err: message, op }, 'keyring changed but could not be saved');
    return failure('not-saved', `applied, but the keyring file was not saved: ${message}`);
  }
  return change;
}

function changeKeyring(keyring: Keyring, op: KeyChange, text: string): KeyringChange {
  switch (op) {
    case 'install':
      return keyring.install(text);
    case 'use':
      return keyring.use(text);
    case 'remove':
      return keyring.remove(text);
    case 'enforce':
      return keyring.enforce();
    case 'relax':
      return keyring.relax();
    default:
      return assertNever(op);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown key operation ${JSON.stringify(value)}`);
}
