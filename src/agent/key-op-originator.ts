import { formatDuration } from '../config/duration.js';
import { keyId, parseKey } from '../crypto/keys.js';
import type { KeyOp, KeyRequest, KeyResponse } from '../protocol/messages.js';
import { nodeName } from '../protocol/types.js';
import { failure, success } from '../result.js';
import type { KeyMemberResult, KeyOpOutcome, KeyOpRefusalReason, KeyOpReport, KeyView } from './api.js';
import { AGENT_LIMITS } from './limits.js';
import { applyKeyChange, type Applied, type KeyChange, type KeyPeer, type KeyringDeps, type SetTimer } from './key-op-shared.js';

/**
 * The operator's side of key operations: applies the change here, sends the request to every
 * live member, resends to the silent ones every retry interval, and after the timeout reports
 * what each answered. `use`, `remove` and `enforce` first ask every member for its keys and
 * mode (see clusterRefusal). Refusals are values with a reason, never HTTP statuses.
 */

export interface KeyOriginatorDeps extends KeyringDeps {
  /** The members to ask: alive or suspect ones, this agent excluded. */
  readonly peers: () => readonly KeyPeer[];
  /** Resend to members that have not answered this often. */
  readonly retryIntervalMs: number;
  /** Stop waiting for members that have not answered after this long. */
  readonly timeoutMs: number;
  readonly setTimer: SetTimer;
  /** A uniformly random unsigned 32-bit integer: operation ids. */
  readonly randomUint32: () => number;
}

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

interface Running {
  readonly waiting: Map<string, KeyPeer>;
  readonly answers: Map<string, KeyMemberResult>;
  /** A waiting member answered (already recorded): frees its place in the window. */
  readonly answered: (name: string) => void;
  readonly finish: () => void;
}

export class KeyOpOriginator {
  private readonly running = new Map<number, Running>();
  private closed = false;

  constructor(private readonly deps: KeyOriginatorDeps) {}

  /** Runs one operation here and on every live member; see the module comment. */
  async run(op: KeyOp, key: string | null): Promise<KeyOpOutcome> {
    if (this.closed) return refuse('stopping', 'the agent is stopping');
    if (this.running.size >= AGENT_LIMITS.maxRunningKeyOps) {
      return refuse('busy', `${this.running.size} key operations are already running; try again once they finish`);
    }
    if (op === 'list') return success(this.report('list', this.selfResult(success(false)), await this.broadcast('list', '')));
    let text = '';
    let id = '';
    if (op === 'enforce' || op === 'relax') {
      // They carry no key: the key in use is whatever each member's primary key is.
      const local = this.modeRefusal();
      if (local !== null) return local;
      const primary = this.deps.keyring.primaryKey;
      id = primary === null ? '' : keyIdOfText(primary);
    } else {
      const parsed = parseKey(key);
      if (!parsed.ok) return refuse('invalid-key', `key: ${parsed.error}`);
      text = parsed.value.text;
      id = keyId(parsed.value.bytes);
      const local = this.localRefusal(op, text);
      if (local !== null) return local;
    }
    if (op === 'use' || op === 'remove' || op === 'enforce') {
      const problem = clusterRefusal(op, id, await this.broadcast('list', ''));
      if (problem !== null) return refuse('would-cut-off', problem);
    }
    const applied = applyKeyChange(this.deps, op, text);
    // The keyring's own refusal (a member's request may have changed it since localRefusal).
    if (!applied.ok && applied.reason !== 'not-saved') return refuse(applied.reason, applied.error);
    this.deps.logger.info({ op, key: id, mode: this.deps.keyring.mode, ok: applied.ok }, 'key operation started');
    const remote = await this.broadcast(op, text);
    return success(this.report(op, this.selfResult(applied), remote));
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
      mode: response.mode,
    });
    running.answered(response.name);
  }

  /** Ends every running operation now (with the answers so far) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const running of [...this.running.values()]) running.finish();
  }

  /** enforce and relax need a key in use here: the request must travel encrypted (see key-op-responder.ts). */
  private modeRefusal(): KeyOpOutcome | null {
    if (this.deps.keyring.mode !== 'plaintext') return null;
    return refuse('no-key-in-use', 'no key is in use here: gossipd keys install KEY, then gossipd keys use KEY, first');
  }

  private localRefusal(op: KeyChange, text: string): KeyOpOutcome | null {
    const keyring = this.deps.keyring;
    if (op === 'use' && !keyring.keys().includes(text)) {
      return refuse('not-installed', 'the key is not installed here: install it first (gossipd keys install)');
    }
    if (op === 'remove' && keyring.primaryKey === text) {
      return refuse('primary-key', 'the key is the primary key: use another key first (gossipd keys use)');
    }
    return null;
  }

  /**
   * Sends one request to every peer until each answers or its timeout; resolves with one
   * result per peer. At most AGENT_LIMITS.keyOpWindow peers are asked at once, and each answer
   * lets the next one be asked: 1,000 answers arriving together would overflow this agent's
   * socket receive buffer (about 200 kB, some 170 small datagrams), and resending to all of
   * them would only do it again. Each peer is asked until it answers or for timeoutMs (its
   * first send and a resend every retry interval), then given up, freeing its place.
   */
  private broadcast(op: KeyOp, key: string): Promise<KeyMemberResult[]> {
    const peers = this.deps.peers();
    if (peers.length === 0 || this.closed) return Promise.resolve([]);
    const id = this.freshId();
    const request: KeyRequest = {
      type: 'key-request',
      id,
      op,
      key,
      sentAtS: Math.floor(this.deps.wallClockMs() / 1000),
      name: nodeName(this.deps.name),
    };
    const maxSends = Math.max(1, Math.ceil(this.deps.timeoutMs / this.deps.retryIntervalMs));
    return new Promise((resolve) => {
      const waiting = new Map(peers.map((peer) => [peer.name, peer]));
      const answers = new Map<string, KeyMemberResult>();
      /** Asked and not yet answered nor given up: name → sends so far. */
      const asking = new Map<string, number>();
      let nextToAsk = 0;
      let cancelRetry = (): void => undefined;
      let done = false;
      const ask = (peer: KeyPeer): void => {
        asking.set(peer.name, 1);
        this.deps.send(peer.addr, request);
      };
      const fillWindow = (): void => {
        while (asking.size < AGENT_LIMITS.keyOpWindow && nextToAsk < peers.length) {
          const peer = peers[nextToAsk++];
          if (peer !== undefined && waiting.has(peer.name)) ask(peer);
        }
        if (asking.size === 0 && nextToAsk >= peers.length) finish();
      };
      const retry = (): void => {
        cancelRetry = this.deps.setTimer(retry, this.deps.retryIntervalMs);
        for (const [name, sends] of [...asking]) {
          const peer = waiting.get(name);
          if (peer === undefined || sends >= maxSends) {
            asking.delete(name);
            continue;
          }
          asking.set(name, sends + 1);
          this.deps.send(peer.addr, request);
        }
        fillWindow();
      };
      const finish = (): void => {
        if (done) return;
        done = true;
        cancelRetry();
        this.running.delete(id);
        const silent = `no answer within ${formatDuration(this.deps.timeoutMs)}`;
        resolve(peers.map((peer) => answers.get(peer.name) ?? { name: peer.name, ok: false, error: silent, keyIds: [] }));
      };
      const answered = (name: string): void => {
        asking.delete(name);
        fillWindow();
      };
      this.running.set(id, { waiting, answers, answered, finish });
      cancelRetry = this.deps.setTimer(retry, this.deps.retryIntervalMs);
      fillWindow();
    });
  }

  private selfResult(applied: Applied): KeyMemberResult {
    return {
      name: this.deps.name,
      ok: applied.ok,
      ...(applied.ok ? {} : { error: applied.error }),
      keyIds: this.deps.keyring.keyIds(),
      mode: this.deps.keyring.mode,
    };
  }

  private report(op: KeyOp, self: KeyMemberResult, remote: readonly KeyMemberResult[]): KeyOpReport {
    const nodes = [self, ...remote].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // A member in plaintext mode may hold no key: an answer is known by its mode.
    const answered = nodes.filter((node) => node.mode !== undefined);
    const localIds = this.deps.keyring.keyIds();
    const localKeys = this.deps.keyring.keys();
    const otherIds = [...new Set(answered.flatMap((node) => node.keyIds))].filter((id) => !localIds.includes(id)).sort();
    const keys: KeyView[] = [...localIds, ...otherIds].map((id) => ({
      key: localKeys[localIds.indexOf(id)] ?? null,
      id,
      primary: answered.filter((node) => node.mode !== 'plaintext' && node.keyIds[0] === id).length,
      installed: answered.filter((node) => node.keyIds.includes(id)).length,
    }));
    return { op, ok: nodes.every((node) => node.ok), members: nodes.length, responded: answered.length, keys, nodes };
  }

  private freshId(): number {
    let id = this.deps.randomUint32();
    while (this.running.has(id)) id = this.deps.randomUint32();
    return id;
  }
}

/**
 * Why `use` or `remove` of the key `id`, or `enforce` with `id` as our primary key, must not go
 * ahead, judging by every member's answer to a list, or null. A member that did not answer
 * might be the one the change would cut off. (A member in plaintext mode answers with its keys
 * too, so "no answer" never means "no key".)
 */
function clusterRefusal(op: 'use' | 'remove' | 'enforce', id: string, members: readonly KeyMemberResult[]): string | null {
  const answered = (member: KeyMemberResult): boolean => member.mode !== undefined;
  const silent = members.filter((member) => !answered(member)).map((member) => member.name);
  const blocking = members.filter((member) => answered(member) && blocks(op, id, member)).map((member) => member.name);
  if (blocking.length === 0 && silent.length === 0) return null;
  const problems: string[] = [];
  if (blocking.length > 0) problems.push(BLOCKING[op].replace('%s', nameList(blocking)));
  if (silent.length > 0) problems.push(`no answer from ${nameList(silent)}`);
  const what = op === 'enforce' ? 'enforce encryption' : `${op} the key`;
  return `refused to ${what}, since members would be cut off: ${problems.join('; ')}`;
}

const BLOCKING: Readonly<Record<'use' | 'remove' | 'enforce', string>> = {
  use: 'not installed on %s (gossipd keys install it first)',
  remove: 'still the primary key of %s (gossipd keys use another key first)',
  enforce: 'the primary key is not installed and in use on %s (gossipd keys use it first)',
};

function blocks(op: 'use' | 'remove' | 'enforce', id: string, member: KeyMemberResult): boolean {
  switch (op) {
    case 'use':
      return !member.keyIds.includes(id);
    case 'remove':
      return member.mode !== 'plaintext' && member.keyIds[0] === id;
    case 'enforce':
      return member.mode === 'plaintext' || member.keyIds[0] !== id;
    default:
      return assertNever(op);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown key operation ${JSON.stringify(value)}`);
}

function keyIdOfText(text: string): string {
  const parsed = parseKey(text);
  return parsed.ok ? keyId(parsed.value.bytes) : '';
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

function refuse(reason: KeyOpRefusalReason, error: string): KeyOpOutcome {
  return failure(reason, error);
}
