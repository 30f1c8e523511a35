import { LIMITS } from '../codec/limits.js';
import { keyId, parseKey } from '../crypto/keys.js';
import type { KeyOp, KeyRequest, KeyResponse, KeyringMode } from '../protocol/messages.js';
import { addressKey, nodeName, type Address } from '../protocol/types.js';
import { success } from '../result.js';
import { AGENT_LIMITS } from './limits.js';
import { applyKeyChange, type Applied, type KeyringDeps } from './key-op-shared.js';

/**
 * The member side of key operations: applies a member's key request to this agent's keyring
 * once, answers with the outcome, its key ids and mode, answers resends from a memo, and
 * refuses requests older (or newer) than KEY_REQUEST_MAX_AGE_S so that a replay cannot undo a
 * rotation.
 *
 * Requests are remembered by the sender's name inside the payload and the request id, never by
 * the source address: in an encrypted datagram the name is as authentic as the key, while
 * anyone can resend a captured datagram from another port. A remembered request that comes
 * back from another address than the first time is a replay: it is neither applied nor answered.
 *
 * Plaintext requests (see plaintextRefusal) are taken only while this member has no key in use,
 * only from a known member's address, and only for list, install and remove: on a plaintext
 * cluster nothing is authenticated, and these are what switching encryption on needs. Once a
 * key is in use, every key operation must come encrypted under an installed key.
 */

/**
 * A request sent longer ago than this (or stamped this far in the future) is refused. Hosts'
 * clocks must agree this closely for key operations to work; NTP keeps them far closer.
 */
export const KEY_REQUEST_MAX_AGE_S = 300;

/** The operations a member takes in plaintext, while it has no key in use. */
const PLAINTEXT_OPS: ReadonlySet<KeyOp> = new Set<KeyOp>(['list', 'install', 'remove']);

interface Remembered {
  readonly atS: number;
  /** Where the request first came from: a resend comes from there, a replay from elsewhere. */
  readonly from: string;
  /** What we answered; null for a refused stale request, which gets no answer. */
  readonly response: KeyResponse | null;
}

/** Key requests refused without being applied, by reason: for tests and the debug log. */
export interface KeyRequestRefusals {
  stale: number;
  replayed: number;
  plaintext: number;
}

export class KeyOpResponder {
  /** By sender name and request id, oldest first. */
  private readonly remembered = new Map<string, Remembered>();
  private closed = false;
  readonly refused: KeyRequestRefusals = { stale: 0, replayed: 0, plaintext: 0 };

  constructor(private readonly deps: KeyringDeps) {}

  /**
   * A member asks us to apply an operation; answered with our outcome and key ids. `encrypted`:
   * the datagram was opened with an installed key (so its contents, the name included, are
   * authentic); false for a plaintext datagram.
   */
  onRequest(request: KeyRequest, from: Address, encrypted: boolean): void {
    if (this.closed) return;
    const source = addressKey(from);
    if (!encrypted) {
      const refusal = plaintextRefusal(request.op, this.deps.keyring.mode, this.deps.isMemberAddress(from));
      if (refusal !== null) {
        this.refused.plaintext++;
        this.deps.logger.debug({ from: source, op: request.op, name: request.name }, `refused a plaintext key request: ${refusal}`);
        return;
      }
    }
    const nowS = Math.floor(this.deps.wallClockMs() / 1000);
    const memoKey = `${request.name}#${request.id}`;
    const memo = this.remembered.get(memoKey);
    if (memo !== undefined) {
      if (memo.from !== source) {
        // The same request from another address: a captured datagram resent. Nothing for it.
        this.refused.replayed++;
        this.deps.logger.warn({ from: source, firstFrom: memo.from, op: request.op, name: request.name }, 'refused a replayed key request');
        return;
      }
      // A resend (our answer was lost): answer again, apply nothing.
      if (memo.response !== null) this.deps.send(from, memo.response);
      return;
    }
    const ageS = nowS - request.sentAtS;
    if (Math.abs(ageS) > KEY_REQUEST_MAX_AGE_S) {
      this.refused.stale++;
      this.remember(memoKey, nowS, source, null);
      this.deps.logger.warn(
        { from: source, op: request.op, ageS, maxAgeS: KEY_REQUEST_MAX_AGE_S },
        'refused a stale key request: a replay, or the two hosts’ clocks disagree',
      );
      return;
    }
    const applied: Applied = request.op === 'list' ? success(false) : applyKeyChange(this.deps, request.op, request.key);
    const response: KeyResponse = {
      type: 'key-response',
      id: request.id,
      name: nodeName(this.deps.name),
      ok: applied.ok,
      error: applied.ok ? '' : fitError(applied.error),
      keyIds: this.deps.keyring.keyIds(),
      mode: this.deps.keyring.mode,
    };
    this.remember(memoKey, nowS, source, response);
    if (request.op !== 'list') {
      const fields = { from: source, name: request.name, op: request.op, key: keyIdOfText(request.key), mode: response.mode, ok: applied.ok };
      this.deps.logger.info(applied.ok ? fields : { ...fields, error: applied.error }, 'key operation from a member');
    }
    this.deps.send(from, response);
  }

  /** Ignores requests from now on. */
  close(): void {
    this.closed = true;
  }

  private remember(memoKey: string, nowS: number, from: string, response: KeyResponse | null): void {
    for (const [key, memo] of this.remembered) {
      // Entries are in insertion order, so the stale ones are at the front.
      if (nowS - memo.atS <= 2 * KEY_REQUEST_MAX_AGE_S && this.remembered.size < AGENT_LIMITS.maxRememberedKeyRequests) break;
      this.remembered.delete(key);
    }
    this.remembered.set(memoKey, { atS: nowS, from, response });
  }
}

/** Why a key request that came in plaintext is not taken, or null when it is. See the module comment. */
export function plaintextRefusal(op: KeyOp, mode: KeyringMode, fromMember: boolean): string | null {
  if (mode !== 'plaintext') return 'a key is in use here, so key requests must come encrypted';
  if (!PLAINTEXT_OPS.has(op)) return `${op} must come encrypted (the sender uses a key by then)`;
  if (!fromMember) return 'not from a known member’s address';
  return null;
}

function keyIdOfText(text: string): string {
  if (text === '') return '';
  const parsed = parseKey(text);
  return parsed.ok ? keyId(parsed.value.bytes) : 'invalid';
}

/** Our refusal as the codec accepts it: no control characters, at most LIMITS.maxKeyErrorBytes bytes. */
function fitError(text: string): string {
  let fitted = '';
  let bytes = 0;
  // Lone surrogates cannot be sent as UTF-8; paired ones are one code point under the u flag.
  for (const char of text.replace(/[\u0000-\u001f\u007f]|\p{Surrogate}/gu, ' ')) {
    bytes += Buffer.byteLength(char);
    if (bytes > LIMITS.maxKeyErrorBytes) break;
    fitted += char;
  }
  return fitted;
}
