import type { Logger } from 'pino';
import { messageSize } from '../codec/index.js';
import { LIMITS } from '../codec/limits.js';
import type { QueryHandler } from '../config/query-handlers.js';
import type { Query, QueryAck, QueryResponse } from '../protocol/messages.js';
import { nodeName, type Address, type Tags } from '../protocol/types.js';
import { runCommand, type CommandRun } from './hook-process.js';
import { AGENT_LIMITS, EVENT_LIMITS } from './limits.js';
import { matchesQuery } from './query-originator.js';

export interface QueryResponderDeps {
  readonly name: string;
  readonly tags: () => Tags;
  readonly handlers: readonly QueryHandler[];
  /** A handler still running after this long (or after the query's own timeout, if shorter) is killed. */
  readonly timeoutMs: number;
  readonly send: (to: Address, message: QueryAck | QueryResponse) => void;
  /** Bytes one datagram may hold for a single message (maxPacketBytes less header and encryption). */
  readonly messageBudgetBytes: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}

interface Remembered {
  readonly ack: QueryAck;
  /** The answer once the handler gave one. */
  response: QueryResponse | null;
}

/**
 * The answering side of queries: a query whose filters match this member is acknowledged at
 * once and, when an --on-query handler exists for its name, answered with the handler's stdout
 * (cut to fit one datagram), straight to the asker. A resent query is acknowledged (and
 * answered) again from memory, never run twice. Handlers run at most
 * AGENT_LIMITS.maxRunningQueryHandlers at a time.
 */
export class QueryResponder {
  private readonly remembered = new Map<string, Remembered>();
  private readonly runs = new Set<CommandRun>();
  private closed = false;
  /** Queries acknowledged but not answered because too many handlers were running. */
  refusedBusy = 0;

  constructor(private readonly deps: QueryResponderDeps) {}

  onQuery(query: Query): void {
    if (this.closed) return;
    const memoKey = `${query.origin}#${query.id}`;
    const memo = this.remembered.get(memoKey);
    if (memo !== undefined) {
      this.deps.send(query.replyTo, memo.ack);
      if (memo.response !== null) this.deps.send(query.replyTo, memo.response);
      return;
    }
    if (!matchesQuery({ name: this.deps.name, tags: this.deps.tags() }, query.nodes, query.tags)) return;
    const ack: QueryAck = { type: 'query-ack', id: query.id, from: nodeName(this.deps.name) };
    const remembered: Remembered = { ack, response: null };
    this.remember(memoKey, remembered);
    this.deps.send(query.replyTo, ack);
    const handler = this.deps.handlers.find((h) => h.name === query.name) ?? this.deps.handlers.find((h) => h.name === '*');
    if (handler === undefined) return;
    if (this.runs.size >= AGENT_LIMITS.maxRunningQueryHandlers) {
      this.refusedBusy++;
      this.deps.logger.warn({ query: query.name, from: query.origin, running: this.runs.size }, 'too many --on-query commands running: acknowledged without an answer');
      return;
    }
    // The ack goes out first; the fork of the handler waits for the next turn of the loop.
    setImmediate(() => void this.answer(query, handler, remembered));
  }

  close(): void {
    this.closed = true;
    for (const run of this.runs) run.kill('SIGTERM');
  }

  private async answer(query: Query, handler: QueryHandler, remembered: Remembered): Promise<void> {
    const run = runCommand({
      command: handler.command,
      input: query.payload,
      env: { ...this.deps.env, GOSSIPD_SELF: this.deps.name, GOSSIPD_QUERY: query.name, GOSSIPD_QUERY_ORIGIN: query.origin },
      timeoutMs: Math.max(1, Math.min(this.deps.timeoutMs, query.timeoutMs)),
      tailBytes: LIMITS.maxQueryResponseBytes,
      pipeGraceMs: EVENT_LIMITS.hookPipeGraceMs,
    });
    this.runs.add(run);
    const outcome = await run.done;
    this.runs.delete(run);
    if (this.closed) return;
    const fields = { query: query.name, from: query.origin, command: handler.command, ms: outcome.ms };
    if (outcome.kind !== 'exited' || outcome.code !== 0) {
      const detail = outcome.kind === 'exited' ? { exitCode: outcome.code, stderr: outcome.stderr } : outcome.kind === 'spawn-error' ? { err: outcome.error } : { outcome: outcome.kind };
      this.deps.logger.error({ ...fields, ...detail }, '--on-query command failed: acknowledged without an answer');
      return;
    }
    const response: QueryResponse = {
      type: 'query-response',
      id: query.id,
      from: nodeName(this.deps.name),
      payload: fitPayload(outcome.stdout, (payload) => messageSize({ type: 'query-response', id: query.id, from: nodeName(this.deps.name), payload }) <= this.deps.messageBudgetBytes),
    };
    remembered.response = response;
    this.deps.send(query.replyTo, response);
  }

  private remember(key: string, memo: Remembered): void {
    this.remembered.set(key, memo);
    while (this.remembered.size > AGENT_LIMITS.maxRememberedQueries) {
      const oldest = this.remembered.keys().next().value;
      if (oldest === undefined) break;
      this.remembered.delete(oldest);
    }
  }
}

/** `text` cut (whole code points, lone surrogates replaced) to what the codec accepts and `fits` allows. */
export function fitPayload(text: string, fits: (payload: string) => boolean): string {
  const chars = [...text.replace(/\p{Surrogate}/gu, '\uFFFD')];
  let payload = chars.join('');
  let bytes = Buffer.byteLength(payload);
  while (chars.length > 0 && (bytes > LIMITS.maxQueryResponseBytes || !fits(payload))) {
    const removed = chars.pop() ?? '';
    bytes -= Buffer.byteLength(removed);
    payload = chars.join('');
  }
  return payload;
}
