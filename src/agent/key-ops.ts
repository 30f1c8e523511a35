import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { LIMITS } from '../codec/limits.js';
import { formatDuration } from '../config/duration.js';
import type { Keyring } from '../crypto/keyring.js';
import { keyId, parseKey } from '../crypto/keys.js';
import type { KeyMessage, KeyOp, KeyRequest, KeyResponse } from '../protocol/messages.js';
import { addressKey, type Address } from '../protocol/types.js';
import type { KeyMemberResult, KeyOpOutcome, KeyOpReport, KeyView } from './api.js';

/**
 * Cluster-wide keyring operations (`gossipd keys list|install|use|remove`), run by the agent
 * the operator talks to. Like serf's `_serf_install-key` query, but point to point: the origin
 * applies the change locally, then sends a key-request straight to every alive or suspect
 * member, resends to the silent ones every retry interval, and after the timeout reports what
 * each member answered (its outcome and its key ids). Requests travel encrypted like all
 * gossip, so only a holder of an installed key can send one. Every operation is idempotent,
 * so resends and duplicates are harmless; a member applies each request once (remembered by
 * sender and id) and refuses requests older than KEY_REQUEST_MAX_AGE_S, so a recorded request
 * replayed later cannot undo a rotation.
 *
 * `use` and `remove` first ask every member for its keys, and are refused unless every one
 * answers and holds the key (use) or no longer uses it as its primary key (remove): either
 * mistake would leave some members unable to read the others, which is the downtime a
 * rotation must not have.
 */

export interface KeyPeer {
  readonly name: string;
  readonly addr: Address;
}

export interface KeyOpsDeps {
  /** This agent's member name, reported in its answers. */
  readonly name: string;
  readonly keyring: Keyring;
  /** The members to ask: alive or suspect ones, this agent excluded. */
  readonly peers: () => readonly KeyPeer[];
  readonly send: (to: Address, message: KeyMessage) => void;
  /** Saves the keyring after a change (to the keyring file); null when there is no file. Throws on failure. */
  readonly persist: (() => void) | null;
  readonly logger: Logger;
  /** Resend to members that have not answered this often. */
  readonly retryIntervalMs: number;
  /** Stop waiting for members that have not answered after this long. */
  readonly timeoutMs: number;
  /** Wall clock in ms: request ages are compared across hosts, so a monotonic clock will not do. */
  readonly wallClockMs: () => number;
}

/**
 * A request sent longer ago than this (or stamped this far in the future) is refused. Hosts'
 * clocks must agree this closely for key operations to work; NTP keeps them far closer.
 */
export const KEY_REQUEST_MAX_AGE_S = 300;
/** Requests remembered (to answer resends without applying twice): far more than operators make in the window. */
const MAX_REMEMBERED_REQUESTS = 1024;
/** Key operations one agent runs at once; each waits on the network for up to its timeout. */
const MAX_RUNNING_OPS = 4;

/** Resend to silent members every probe timeout (≈ p99 RTT), at least this often apart. */
const MIN_RETRY_INTERVAL_MS = 100;
/** Wait for answers this many probe intervals, and at least MIN_TIMEOUT_MS. */
const TIMEOUT_PROBE_INTERVALS = 5;
const MIN_TIMEOUT_MS = 2000;

/** How often to resend, and how long to wait, for a cluster with this timing. */
export function keyOpTimings(options: { readonly probeIntervalMs: number; readonly probeTimeoutMs: number }): {
  readonly retryIntervalMs: number;
  readonly timeoutMs: number;
} {
  return {
    retryIntervalMs: Math.max(options.probeTimeoutMs, MIN_RETRY_INTERVAL_MS),
    timeoutMs: Math.max(TIMEOUT_PROBE_INTERVALS * options.probeIntervalMs, MIN_TIMEOUT_MS),
  };
}

type Applied = { readonly ok: true } | { readonly ok: false; readonly refused: boolean; readonly error: string };

interface Running {
  readonly waiting: Map<string, KeyPeer>;
  readonly answers: Map<string, KeyMemberResult>;
  readonly finish: () => void;
}

interface Remembered {
  readonly atS: number;
  /** What we answered; null for a refused stale request, which gets no answer. */
  readonly response: KeyResponse | null;
}

export class KeyOperations {
  private readonly running = new Map<number, Running>();
  private readonly remembered = new Map<string, Remembered>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly deps: KeyOpsDeps) {
    this.log = deps.logger;
  }

  /** Runs one operation here and on every live member; see the module comment. */
  async run(op: KeyOp, key: string | null): Promise<KeyOpOutcome> {
    if (this.closed) return refuse(409, 'the agent is stopping');
    if (this.running.size >= MAX_RUNNING_OPS) {
      return refuse(409, `${this.running.size} key operations are already running; try again once they finish`);
    }
    if (op === 'list') return { ok: true, report: this.report('list', this.selfResult({ ok: true }), await this.broadcast('list', '')) };
    const parsed = parseKey(key);
    if (!parsed.ok) return refuse(400, `key: ${parsed.error}`);
    const local = this.localRefusal(op, parsed.text);
    if (local !== null) return refuse(409, local);
    if (op === 'use' || op === 'remove') {
      const problem = clusterRefusal(op, keyId(parsed.bytes), await this.broadcast('list', ''));
      if (problem !== null) return refuse(409, problem);
    }
    const applied = this.apply(op, parsed.text);
    if (!applied.ok && applied.refused) return refuse(409, applied.error);
    this.log.info({ op, key: keyId(parsed.bytes), ok: applied.ok }, 'key operation started');
    const remote = await this.broadcast(op, parsed.text);
    return { ok: true, report: this.report(op, this.selfResult(applied), remote) };
  }

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
      this.log.warn(
        { from: addressKey(from), op: request.op, ageS, maxAgeS: KEY_REQUEST_MAX_AGE_S },
        'refused a stale key request: a replay, or the two hosts’ clocks disagree',
      );
      return;
    }
    const applied: Applied = request.op === 'list' ? { ok: true } : this.apply(request.op, request.key);
    const response: KeyResponse = {
      type: 'key-response',
      id: request.id,
      name: this.deps.name,
      ok: applied.ok,
      error: applied.ok ? '' : fitError(applied.error),
      keyIds: this.deps.keyring.keyIds(),
    };
    this.remember(memoKey, nowS, response);
    if (request.op !== 'list') {
      const fields = { from: addressKey(from), op: request.op, key: keyIdOfText(request.key), ok: applied.ok };
      this.log.info(applied.ok ? fields : { ...fields, error: applied.error }, 'key operation from a member');
    }
    this.deps.send(from, response);
  }

  /** A member answers one of our requests. Late, duplicate and unasked answers are ignored. */
  onResponse(response: KeyResponse): void {
    const running = this.running.get(response.id);
    if (running === undefined || !running.waiting.delete(response.name)) return;
    running.answers.set(response.name, {
      name: response.name,
      ok: response.ok,
      ...(response.ok ? {} : { error: response.error === '' ? 'refused' : response.error }),
      keyIds: response.keyIds,
    });
    if (running.waiting.size === 0) running.finish();
  }

  /** Ends every running operation now (with the answers so far) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const running of [...this.running.values()]) running.finish();
  }

  private localRefusal(op: Exclude<KeyOp, 'list'>, text: string): string | null {
    const keyring = this.deps.keyring;
    if (op === 'use' && !keyring.keys().includes(text)) return 'the key is not installed here: install it first (gossipd keys install)';
    if (op === 'remove' && keyring.primaryKey === text) return 'the key is the primary key: use another key first (gossipd keys use)';
    return null;
  }

  private apply(op: Exclude<KeyOp, 'list'>, text: string): Applied {
    const keyring = this.deps.keyring;
    const change = op === 'install' ? keyring.install(text) : op === 'use' ? keyring.use(text) : keyring.remove(text);
    if (!change.ok) return { ok: false, refused: true, error: change.error };
    if (change.changed && this.deps.persist !== null) {
      try {
        this.deps.persist();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.log.error({ err: message, op }, 'keyring changed but could not be saved');
        return { ok: false, refused: false, error: `applied, but the keyring file was not saved: ${message}` };
      }
    }
    return { ok: true };
  }

  /** Sends one request to every peer until each answers or the timeout; resolves with one result per peer. */
  private broadcast(op: KeyOp, key: string): Promise<KeyMemberResult[]> {
    const peers = this.deps.peers();
    if (peers.length === 0 || this.closed) return Promise.resolve([]);
    const id = this.freshId();
    const request: KeyRequest = { type: 'key-request', id, op, key, sentAtS: Math.floor(this.deps.wallClockMs() / 1000) };
    return new Promise((resolve) => {
      const waiting = new Map(peers.map((peer) => [peer.name, peer]));
      const answers = new Map<string, KeyMemberResult>();
      const sendToSilent = (): void => {
        for (const peer of waiting.values()) this.deps.send(peer.addr, request);
      };
      const retry = setInterval(sendToSilent, this.deps.retryIntervalMs);
      const deadline = setTimeout(() => finish(), this.deps.timeoutMs);
      const finish = (): void => {
        clearInterval(retry);
        clearTimeout(deadline);
        this.running.delete(id);
        const silent = `no answer within ${formatDuration(this.deps.timeoutMs)}`;
        resolve(peers.map((peer) => answers.get(peer.name) ?? { name: peer.name, ok: false, error: silent, keyIds: [] }));
      };
      this.running.set(id, { waiting, answers, finish });
      sendToSilent();
    });
  }

  private selfResult(applied: Applied): KeyMemberResult {
    return {
      name: this.deps.name,
      ok: applied.ok,
      ...(applied.ok ? {} : { error: applied.error }),
      keyIds: this.deps.keyring.keyIds(),
    };
  }

  private report(op: KeyOp, self: KeyMemberResult, remote: readonly KeyMemberResult[]): KeyOpReport {
    const nodes = [self, ...remote].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const answered = nodes.filter((node) => node.keyIds.length > 0);
    const localIds = this.deps.keyring.keyIds();
    const localKeys = this.deps.keyring.keys();
    const otherIds = [...new Set(answered.flatMap((node) => node.keyIds))].filter((id) => !localIds.includes(id)).sort();
    const keys: KeyView[] = [...localIds, ...otherIds].map((id) => ({
      key: localKeys[localIds.indexOf(id)] ?? null,
      id,
      primary: answered.filter((node) => node.keyIds[0] === id).length,
      installed: answered.filter((node) => node.keyIds.includes(id)).length,
    }));
    return { op, ok: nodes.every((node) => node.ok), members: nodes.length, responded: answered.length, keys, nodes };
  }

  private remember(memoKey: string, nowS: number, response: KeyResponse | null): void {
    for (const [key, memo] of this.remembered) {
      // Entries are in insertion order, so the stale ones are at the front.
      if (nowS - memo.atS <= 2 * KEY_REQUEST_MAX_AGE_S && this.remembered.size < MAX_REMEMBERED_REQUESTS) break;
      this.remembered.delete(key);
    }
    this.remembered.set(memoKey, { atS: nowS, response });
  }

  private freshId(): number {
    let id = randomInt(2 ** 32);
    while (this.running.has(id)) id = randomInt(2 ** 32);
    return id;
  }
}

/**
 * Why `use` or `remove` of the key `id` must not go ahead, judging by every member's answer to
 * a list, or null. A member that did not answer might be the one the change would cut off.
 */
function clusterRefusal(op: 'use' | 'remove', id: string, members: readonly KeyMemberResult[]): string | null {
  const silent = members.filter((member) => member.keyIds.length === 0).map((member) => member.name);
  const blocking =
    op === 'use'
      ? members.filter((member) => member.keyIds.length > 0 && !member.keyIds.includes(id)).map((member) => member.name)
      : members.filter((member) => member.keyIds[0] === id).map((member) => member.name);
  if (blocking.length === 0 && silent.length === 0) return null;
  const problems: string[] = [];
  if (blocking.length > 0) {
    problems.push(
      op === 'use'
        ? `not installed on ${nameList(blocking)} (gossipd keys install it first)`
        : `still the primary key of ${nameList(blocking)} (gossipd keys use another key first)`,
    );
  }
  if (silent.length > 0) problems.push(`no answer from ${nameList(silent)}`);
  return `refused to ${op} the key, since members would be cut off: ${problems.join('; ')}`;
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

function refuse(status: 400 | 409, error: string): KeyOpOutcome {
  return { ok: false, status, error };
}

function keyIdOfText(text: string): string {
  const parsed = parseKey(text);
  return parsed.ok ? keyId(parsed.bytes) : 'invalid';
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
