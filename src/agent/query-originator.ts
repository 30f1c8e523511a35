import type { Logger } from 'pino';
import type { Query, QueryAck, QueryResponse } from '../protocol/messages.js';
import { nodeName, type Address, type Tags } from '../protocol/types.js';
import { failure, success, type Result } from '../result.js';
import { AGENT_LIMITS } from './limits.js';

/** What the caller asks (POST /v1/query, `gossipd query`), already validated. */
export interface QueryRequest {
  readonly name: string;
  readonly payload: string;
  /** Only these members (none: all). */
  readonly nodes: readonly string[];
  /** Only members whose tags hold every one of these key/value pairs. */
  readonly tags: Tags;
  /** How long to collect answers; null: the agent's default (see defaultQueryTimeoutMs). */
  readonly timeoutMs: number | null;
}

/** One thing that happened to a running query, as it arrives. */
export type QueryProgress =
  | { readonly type: 'ack'; readonly from: string }
  | { readonly type: 'response'; readonly from: string; readonly payload: string };

/** The answer of POST /v1/query when the timeout ends. */
export interface QueryReport {
  /** Members asked: those that matched the filters as this agent sees them. */
  readonly asked: number;
  /** Members that acknowledged, in the order they did. */
  readonly acks: readonly string[];
  readonly responses: readonly { readonly from: string; readonly payload: string }[];
}

export type QueryRefusal = 'busy' | 'stopping' | 'too-large';
export type QueryOutcome = Result<QueryReport, QueryRefusal>;

export interface QueryPeer {
  readonly name: string;
  readonly addr: Address;
  readonly tags: Tags;
}

export interface QueryOriginatorDeps {
  readonly name: string;
  /** Where answers come back to: our advertised address. */
  readonly replyTo: () => Address;
  /** Every alive or suspect member, this agent included. */
  readonly members: () => readonly QueryPeer[];
  readonly send: (to: Address, message: Query) => void;
  /** Whether the query fits one datagram of ours; a bigger one is refused (`too-large`). */
  readonly fits: (message: Query) => boolean;
  /** The timeout of a query that names none, for the cluster's current size. */
  readonly defaultTimeoutMs: () => number;
  readonly resendIntervalMs: number;
  readonly setTimer: (callback: () => void, delayMs: number) => () => void;
  readonly randomUint32: () => number;
  readonly logger: Logger;
}

interface Running {
  readonly query: Query;
  /** Members asked that have not acknowledged yet. */
  readonly waiting: Map<string, QueryPeer>;
  readonly asked: ReadonlySet<string>;
  readonly acks: string[];
  readonly responses: Map<string, string>;
  readonly onProgress: (progress: QueryProgress) => void;
  attempts: number;
  cancelResend: () => void;
}

/**
 * The asking side of queries: picks the members that match, sends each the query directly
 * (UDP, resent to the silent ones up to AGENT_LIMITS.queryAttempts times), and collects the
 * acks and answers that come straight back until the timeout. Answers from members it did not
 * ask are ignored, so nobody can inject one by guessing an id alone.
 */
export class QueryOriginator {
  private readonly running = new Map<number, Running>();
  private closed = false;

  constructor(private readonly deps: QueryOriginatorDeps) {}

  run(request: QueryRequest, onProgress: (progress: QueryProgress) => void = () => undefined): Promise<QueryOutcome> {
    if (this.closed) return Promise.resolve(failure('stopping', 'the agent is stopping'));
    if (this.running.size >= AGENT_LIMITS.maxRunningQueries) {
      return Promise.resolve(failure('busy', `${this.running.size} queries are already running; try again once one ends`));
    }
    const targets = this.deps
      .members()
      .filter((member) => matchesQuery(member, request.nodes, request.tags))
      .slice(0, AGENT_LIMITS.maxQueryTargets);
    const timeoutMs = request.timeoutMs ?? this.deps.defaultTimeoutMs();
    let id = this.deps.randomUint32();
    while (this.running.has(id)) id = this.deps.randomUint32();
    const query: Query = {
      type: 'query',
      id,
      origin: nodeName(this.deps.name),
      replyTo: this.deps.replyTo(),
      name: request.name,
      payload: request.payload,
      nodes: request.nodes.map(nodeName),
      tags: request.tags,
      timeoutMs,
    };
    if (!this.deps.fits(query)) {
      return Promise.resolve(failure('too-large', 'the query (payload, nodes and tags together) does not fit one datagram: send less'));
    }
    const running: Running = {
      query,
      waiting: new Map(targets.map((peer) => [peer.name, peer])),
      asked: new Set(targets.map((peer) => peer.name)),
      acks: [],
      responses: new Map(),
      onProgress,
      attempts: 0,
      cancelResend: () => undefined,
    };
    this.running.set(id, running);
    this.deps.logger.debug({ query: request.name, id, asked: targets.length }, 'query started');
    this.sendRound(running);
    return new Promise((resolve) => {
      this.deps.setTimer(() => {
        running.cancelResend();
        this.running.delete(id);
        const responses = [...running.responses].map(([from, payload]) => ({ from, payload }));
        resolve(success({ asked: running.asked.size, acks: running.acks, responses }));
      }, timeoutMs);
    });
  }

  onAck(ack: QueryAck): void {
    const running = this.running.get(ack.id);
    if (running === undefined || !running.asked.has(ack.from)) return;
    this.noteAck(running, ack.from);
  }

  onResponse(response: QueryResponse): void {
    const running = this.running.get(response.id);
    if (running === undefined || !running.asked.has(response.from) || running.responses.has(response.from)) return;
    // An answer is also an acknowledgement (the ack may have been lost).
    this.noteAck(running, response.from);
    if (running.responses.size >= AGENT_LIMITS.maxQueryResponses) return;
    running.responses.set(response.from, response.payload);
    running.onProgress({ type: 'response', from: response.from, payload: response.payload });
  }

  close(): void {
    this.closed = true;
    for (const running of this.running.values()) running.cancelResend();
  }

  private noteAck(running: Running, from: string): void {
    if (!running.waiting.delete(from)) return;
    running.acks.push(from);
    running.onProgress({ type: 'ack', from });
  }

  private sendRound(running: Running): void {
    if (this.closed || !this.running.has(running.query.id) || running.waiting.size === 0) return;
    running.attempts++;
    for (const peer of running.waiting.values()) this.deps.send(peer.addr, running.query);
    if (running.attempts < AGENT_LIMITS.queryAttempts) {
      running.cancelResend = this.deps.setTimer(() => this.sendRound(running), this.deps.resendIntervalMs);
    }
  }
}

/**
 * Serf's default query timeout: gossip interval × 16 × ceil(log10(n + 1)), long enough for a
 * query and its answers to cross a cluster of n; at least a second.
 */
export function defaultQueryTimeoutMs(gossipIntervalMs: number, members: number): number {
  return Math.max(1000, gossipIntervalMs * 16 * Math.max(1, Math.ceil(Math.log10(members + 1))));
}

/** Whether a member is one a query is for: named (or no names given) and holding every tag asked for. */
export function matchesQuery(member: { readonly name: string; readonly tags: Tags }, nodes: readonly string[], tags: Tags): boolean {
  if (nodes.length > 0 && !nodes.includes(member.name)) return false;
  for (const key of Object.keys(tags)) {
    if (!Object.prototype.hasOwnProperty.call(member.tags, key) || member.tags[key] !== tags[key]) return false;
  }
  return true;
}

