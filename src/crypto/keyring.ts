import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { DropReason } from '../codec/codec.js';
import { PROTOCOL_VERSION } from '../codec/header.js';
import { LIMITS } from '../codec/limits.js';
import type { KeyringMode } from '../protocol/messages.js';
import { failure, success, type Failure, type Result } from '../result.js';
import { keyId, parseKey } from './keys.js';

/**
 * The encrypted envelope around one codec datagram:
 *   byte 0        ENVELOPE_VERSION
 *   bytes 1..12   nonce (96 bits, never repeated under one key by this keyring)
 *   bytes 13..    AES-256-GCM ciphertext of the codec datagram
 *   last 16       GCM authentication tag
 * The additional authenticated data is the version byte and the cluster name (UTF-8), so a
 * datagram of another cluster that shares a key does not authenticate either.
 *
 * The version byte has its high bit set, unlike the codec's PROTOCOL_VERSION (1): a plaintext
 * datagram and an encrypted one can be told apart by their first byte, so a member that lacks
 * encryption, or has it where the others do not, is reported as that — not as a wrong key or
 * a foreign cluster.
 */
export const ENVELOPE_VERSION = 0x81;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** What encryption adds to every datagram: the protocol core reserves it when filling packets. */
export const ENVELOPE_OVERHEAD_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

const NONCE_PREFIX_BYTES = 8;
const NONCE_COUNTER_LIMIT = 2 ** 32;
const CIPHER = 'aes-256-gcm';

/** Drops that only encryption produces; the codec's reasons (too-large, too-short…) are reused. */
export const ENVELOPE_DROP_REASONS = [
  /** No installed key authenticates it: a wrong key, a removed key, tampering or junk. */
  'decrypt-failed',
  /** A plaintext datagram reached an agent that requires encryption. */
  'not-encrypted',
  /** An encrypted datagram reached an agent that has no keyring. */
  'unexpected-encryption',
] as const;
export type EnvelopeDropReason = (typeof ENVELOPE_DROP_REASONS)[number];

/** Every reason the agent drops a datagram at its boundary. */
export type PacketDropReason = DropReason | EnvelopeDropReason;

/** The codec datagram inside an envelope, or why the datagram is dropped. */
export type OpenResult = Result<Uint8Array, PacketDropReason>;

/**
 * Why a keyring refuses a change: a key that does not parse, `install` into a full keyring,
 * `use` of a key not installed, `remove` of the primary key, `enforce` with no key in use.
 * Key operations report the same words.
 */
export type KeyringRefusal = 'invalid-key' | 'keyring-full' | 'not-installed' | 'primary-key' | 'no-key-in-use';

/** Whether the keyring changed (installing an installed key does not), or why it refused. */
export type KeyringChange = Result<boolean, KeyringRefusal>;

/** Why a list of keys makes no keyring. */
export type KeyringCreateRefusal = 'no-keys' | 'too-many-keys' | 'invalid-key' | 'repeated-key';

export type { KeyringMode };

export type KeyringResult = Result<Keyring, KeyringCreateRefusal>;

interface KeyEntry {
  readonly text: string;
  readonly id: string;
  readonly key: KeyObject;
}

/**
 * The keys of one agent and its mode (KeyringMode). Outside `plaintext`, the primary key (the
 * first) seals every outgoing datagram; every installed key is tried on incoming ones, so a
 * cluster can move to a new key with no downtime (install everywhere, use, then remove the old
 * one), and a plaintext cluster can switch encryption on the same way (install, use, enforce).
 * Nothing here throws on input from the network; operations on the keyring return a result value.
 */
export class Keyring {
  private entries: KeyEntry[];
  /** `plaintext` may have no key; the other modes have at least one, the first being primary. */
  private currentMode: KeyringMode;
  private readonly aad: Buffer;
  /**
   * Nonces are a random 64-bit prefix and a 32-bit counter, not 96 random bits: with random
   * nonces, a cluster sharing one key reaches the 2^-32 collision risk NIST allows after ~2^32
   * datagrams, which a busy cluster sends in days. Here a repeat needs two prefixes to collide.
   */
  private noncePrefix: Buffer = randomBytes(NONCE_PREFIX_BYTES);
  private nonceCounter = 0;
  /**
   * The key that opened the last datagram is tried first. A failed try costs ~4× a successful
   * one (node:crypto reports it by throwing), and while a rotation is under way the senders'
   * primary keys differ from ours; this keeps the steady state at one try per datagram.
   */
  private lastOpened: KeyEntry | undefined;

  /**
   * `keys` in text form, primary first; 1..LIMITS.maxKeyringKeys distinct keys (0.. in
   * `plaintext`). The mode defaults to `enforce`: what --encrypt and a keyring file always meant.
   */
  static create(keys: readonly string[], cluster: string, mode: KeyringMode = 'enforce'): KeyringResult {
    if (keys.length === 0 && mode !== 'plaintext') return failure('no-keys', 'a keyring needs at least one key');
    if (keys.length > LIMITS.maxKeyringKeys) {
      return failure('too-many-keys', `a keyring holds at most ${LIMITS.maxKeyringKeys} keys, got ${keys.length}`);
    }
    const entries: KeyEntry[] = [];
    for (const [index, text] of keys.entries()) {
      const parsed = parseKey(text);
      if (!parsed.ok) return failure('invalid-key', `key ${index + 1}: ${parsed.error}`);
      const { text: canonical, bytes } = parsed.value;
      if (entries.some((entry) => entry.text === canonical)) return failure('repeated-key', `key ${index + 1} is listed twice`);
      entries.push(entryOf(canonical, bytes));
    }
    return success(new Keyring(entries, cluster, mode));
  }

  private constructor(entries: KeyEntry[], cluster: string, mode: KeyringMode) {
    this.entries = entries;
    this.currentMode = mode;
    this.aad = Buffer.concat([Buffer.from([ENVELOPE_VERSION]), Buffer.from(cluster, 'utf8')]);
  }

  /** The key that seals outgoing datagrams; null in `plaintext`, where none does. */
  get primaryKey(): string | null {
    return this.currentMode === 'plaintext' ? null : this.primary().text;
  }

  get mode(): KeyringMode {
    return this.currentMode;
  }

  /** Whether any key is installed: without one, no encrypted datagram can be opened. */
  get hasKeys(): boolean {
    return this.entries.length > 0;
  }

  /** Every installed key, primary first (in `plaintext`, in the order installed). */
  keys(): string[] {
    return this.entries.map((entry) => entry.text);
  }

  /** Key ids of every installed key, primary first. */
  keyIds(): string[] {
    return this.entries.map((entry) => entry.id);
  }

  /** Adds a key for decryption. Installing a key twice changes nothing. */
  install(text: string): KeyringChange {
    const parsed = parseKey(text);
    if (!parsed.ok) return invalidKey(parsed);
    if (this.indexOf(parsed.value.text) !== -1) return success(false);
    if (this.entries.length >= LIMITS.maxKeyringKeys) {
      return failure('keyring-full', `the keyring is full (${LIMITS.maxKeyringKeys} keys): remove one first`);
    }
    this.entries.push(entryOf(parsed.value.text, parsed.value.bytes));
    return success(true);
  }

  /** Makes an installed key the primary one; in `plaintext`, starts sealing with it (mode `encrypt`). */
  use(text: string): KeyringChange {
    const parsed = parseKey(text);
    if (!parsed.ok) return invalidKey(parsed);
    const index = this.indexOf(parsed.value.text);
    if (index === -1) return failure('not-installed', 'the key is not installed: install it everywhere first');
    const wasPlaintext = this.currentMode === 'plaintext';
    if (wasPlaintext) this.currentMode = 'encrypt';
    if (index === 0) return success(wasPlaintext);
    const [entry] = this.entries.splice(index, 1);
    if (entry !== undefined) this.entries.unshift(entry);
    return success(true);
  }

  /** Forgets a key. The primary key cannot be removed: use another one first. */
  remove(text: string): KeyringChange {
    const parsed = parseKey(text);
    if (!parsed.ok) return invalidKey(parsed);
    const index = this.indexOf(parsed.value.text);
    if (index === 0 && this.currentMode !== 'plaintext') {
      return failure('primary-key', 'the key is the primary key: use another key first');
    }
    if (index === -1) return success(false);
    const [removed] = this.entries.splice(index, 1);
    if (removed === this.lastOpened) this.lastOpened = undefined;
    return success(true);
  }

  /** Refuses plaintext from now on; needs a key in use (gossipd keys use) first. */
  enforce(): KeyringChange {
    if (this.currentMode === 'plaintext') {
      return failure('no-key-in-use', 'no key is in use here: gossipd keys use one first, so that members send encrypted');
    }
    if (this.currentMode === 'enforce') return success(false);
    this.currentMode = 'enforce';
    return success(true);
  }

  /** Accepts plaintext again (undoes enforce); still seals with the primary key. */
  relax(): KeyringChange {
    if (this.currentMode !== 'enforce') return success(false);
    this.currentMode = 'encrypt';
    return success(true);
  }

  /** The envelope of one datagram, sealed with the primary key. Not in `plaintext` (it throws). */
  seal(plaintext: Uint8Array): Buffer {
    // The envelope checks the mode first; sealing with a key not in use would cut members off.
    if (this.currentMode === 'plaintext') throw new Error('no key is in use: plaintext keyrings do not seal');
    const sealed = Buffer.allocUnsafe(ENVELOPE_OVERHEAD_BYTES + plaintext.length);
    sealed[0] = ENVELOPE_VERSION;
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    this.nextNonce(nonce);
    const cipher = createCipheriv(CIPHER, this.primary().key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad);
    let offset = 1 + NONCE_BYTES;
    offset += cipher.update(plaintext).copy(sealed, offset);
    offset += cipher.final().copy(sealed, offset);
    cipher.getAuthTag().copy(sealed, offset);
    return sealed;
  }

  /** The codec datagram inside an envelope, or why it was dropped. Never throws. */
  open(bytes: Uint8Array): OpenResult {
    try {
      return this.openUnchecked(bytes);
    } catch (error) {
      // node:crypto only throws here on a programmer error; a datagram must still never crash us.
      return drop('decrypt-failed', `decrypt error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private openUnchecked(bytes: Uint8Array): OpenResult {
    if (bytes.length > LIMITS.maxDatagramBytes + ENVELOPE_OVERHEAD_BYTES) {
      return drop('too-large', `${bytes.length} bytes (max ${LIMITS.maxDatagramBytes + ENVELOPE_OVERHEAD_BYTES})`);
    }
    if (bytes[0] === PROTOCOL_VERSION) {
      return drop('not-encrypted', 'a plaintext datagram: the sender has no key (give it --encrypt or --keyring-file)');
    }
    if (bytes[0] !== ENVELOPE_VERSION) {
      return drop('bad-version', `first byte ${bytes[0] ?? '?'} (expected envelope version ${ENVELOPE_VERSION})`);
    }
    const minBytes = ENVELOPE_OVERHEAD_BYTES + LIMITS.minDatagramBytes;
    if (bytes.length < minBytes) return drop('too-short', `${bytes.length} bytes (min ${minBytes})`);
    const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
    const tagStart = bytes.length - TAG_BYTES;
    const ciphertext = bytes.subarray(1 + NONCE_BYTES, tagStart);
    const tag = bytes.subarray(tagStart);
    const last = this.lastOpened;
    if (last !== undefined) {
      const plaintext = this.tryOpen(last, nonce, ciphertext, tag);
      if (plaintext !== null) return success(plaintext);
    }
    for (const entry of this.entries) {
      if (entry === last) continue;
      const plaintext = this.tryOpen(entry, nonce, ciphertext, tag);
      if (plaintext === null) continue;
      this.lastOpened = entry;
      return success(plaintext);
    }
    return drop('decrypt-failed', `no installed key (of ${this.entries.length}) authenticates it`);
  }

  private tryOpen(entry: KeyEntry, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Buffer | null {
    const decipher = createDecipheriv(CIPHER, entry.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(this.aad);
    decipher.setAuthTag(tag);
    const plaintext = decipher.update(ciphertext);
    try {
      // GCM checks the tag in final(): a wrong key or a flipped bit throws here, and only here.
      decipher.final();
      return plaintext;
    } catch {
      return null;
    }
  }

  private nextNonce(target: Buffer): void {
    if (this.nonceCounter === NONCE_COUNTER_LIMIT) {
      this.noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
      this.nonceCounter = 0;
    }
    this.noncePrefix.copy(target, 0);
    target.writeUInt32BE(this.nonceCounter, NONCE_PREFIX_BYTES);
    this.nonceCounter++;
  }

  private primary(): KeyEntry {
    const primary = this.entries[0];
    // create() and remove() keep at least one key, so this is a broken invariant, not input.
    if (primary === undefined) throw new Error('keyring has no primary key');
    return primary;
  }

  private indexOf(text: string): number {
    return this.entries.findIndex((entry) => entry.text === text);
  }
}

function entryOf(text: string, bytes: Buffer): KeyEntry {
  return { text, id: keyId(bytes), key: createSecretKey(bytes) };
}

function drop(reason: PacketDropReason, error: string): OpenResult {
  return failure(reason, error);
}

function invalidKey(parsed: Failure<'invalid-key'>): KeyringChange {
  return failure('invalid-key', `key ${parsed.error}`);
}
