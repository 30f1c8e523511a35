import { LIMITS } from '../codec/limits.js';
import { keyId, parseKey } from '../crypto/keys.js';
import type { KeyRequest, KeyResponse } from '../protocol/messages.js';
import { addressKey, nodeName, type Address } from '../protocol/types.js';
import { success } from '../result.js';
import { AGENT_LIMITS } from './limits.js';
import { applyKeyChange, type Applied, type KeyringDeps } from './key-op-shared.js';

/**
 * The member side of key operations: applies a member's key request to this agent's keyring
 * once, answers with the outcome and its key ids, answers resends from a memo, and refuses
 * requests older (or newer) than KEY_REQUEST_MAX_AGE_S so that a replay cannot undo a rotation.
 */

/**
 * A request sent longer ago than this (or stamped this far in the future) is refused. Hosts'
 * clocks must agree this closely for key operations to work; NTP keeps them far closer.
 */
export const KEY_REQUEST_MAX_AGE_S = 300;
interface Remembered {
  readonly atS: number;
  /** What we answered; null for a refused stale request, which gets no answer. */
  readonly response: KeyResponse | null;
}

export class KeyOpResponder {
  /** By sender and request id, oldest first. */
  private readonly remembered = new Map<string, Remembered>();
  private closed = false;

  constructor(private readonly deps: KeyringDeps) {}

  /** A member asks us to apply an operation; answered with our outcome and key ids. */
  onRequest(request: KeyRequest, from: Address): void {
    if (this.closed) return;
    const nowS = Math.floor(this.deps.wallClockMs() / 1000);
    const memoKey = `${addressKey(from)}#${request.id}`;
    const memo = this.remembered.get(memoKey);
    if (memo !== undefined) {
      // A resend (our answer was lost) or a replay: answer again, apply nothing.
      if (memo.response !== null) this.deps.send(from, memo.response);
      return;
    }
    const ageS = nowS - request.sentAtS;
    if (Math.abs(ageS) > KEY_REQUEST_MAX_AGE_S) {
      this.remember(memoKey, nowS, null);
      this.deps.logger.warn(
        { from: addressKey(from), op: request.op, ageS, maxAgeS: KEY_REQUEST_MAX_AGE_S },
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
    };
    this.remember(memoKey, nowS, response);
    if (request.op !== 'list') {
      const fields = { from: addressKey(from), op: request.op, key: keyIdOfText(request.key), ok: applied.ok };
      this.deps.logger.info(applied.ok ? fields : { ...fields, error: applied.error }, 'key operation from a member');
    }
    this.deps.send(from, response);
  }

  /** Ignores requests from now on. */
  close(): void {
    this.closed = true;
  }

  private remember(memoKey: string, nowS: number, response: KeyResponse | null): void {
    for (const [key, memo] of this.remembered) {
      // Entries are in insertion order, so the stale ones are at the front.
      if (nowS - memo.atS <= 2 * KEY_REQUEST_MAX_AGE_S && this.remembered.size < AGENT_LIMITS.maxRememberedKeyRequests) break;
      this.remembered.delete(key);
    }
    this.remembered.set(memoKey, { atS: nowS, response });
  }
}

function keyIdOfText(text: string): string {
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
