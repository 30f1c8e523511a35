import type { Command } from 'commander';
import { LIMITS } from '../codec/limits.js';
import { formatDuration, parseDurationText } from '../config/duration.js';
import { isRecord, isStringArray } from '../config/parsed.js';
import { HTTP_LIMITS } from '../http/limits.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { readEventStream } from './event-stream-client.js';
import { resolveEndpoint, resolveToken, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo, ShutdownSignal } from './io.js';

const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];

/** Heartbeats come every HTTP_LIMITS.eventHeartbeatMs: three missed ones mean the connection is dead. */
const IDLE_MS = 3 * HTTP_LIMITS.eventHeartbeatMs;

export function registerQuery(program: Command, context: CommandContext): void {
  program
    .command('query')
    .description(
      'ask matching members a question and print their acknowledgements and answers as they arrive, then a summary; ' +
        'a member answers with the output of its --on-query handler for NAME, or only acknowledges without one',
    )
    .argument('<name>', `query name (1 to ${LIMITS.maxEventNameBytes} bytes, no control characters)`)
    .argument('[payload]', `query payload, on the handlers' stdin (at most ${LIMITS.maxQueryPayloadBytes} bytes; default: empty)`)
    .option('--node <name>', `ask only this member; repeatable (at most ${LIMITS.maxQueryNodes}; default: every member)`, collect)
    .option('--tag <key:value>', 'ask only members with this tag value; repeatable (all must match)', collect)
    .option('--timeout <duration>', 'how long to collect answers (default: gossip interval × 16 × log10(n+1), at least 1s)')
    .option('--json', 'print each acknowledgement, answer and the summary as one JSON line')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .action(async (name: string, payload: string | undefined, _options: unknown, command: Command) => {
      context.finish(await runQuery(name, payload ?? '', command.opts(), context.io));
    });
}

function collect(value: string, previous: unknown): string[] {
  return [...(isStringArray(previous) ? previous : []), value];
}

export async function runQuery(name: string, payload: string, options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const endpoint = resolveEndpoint(options['http'], io);
  if (!endpoint.ok) {
    printErrors(io, [endpoint.error]);
    return EXIT_USAGE;
  }
  const body = queryBody(name, payload, options);
  if (typeof body === 'string') {
    printErrors(io, [body]);
    return EXIT_USAGE;
  }
  const json = options['json'] === true;
  let done = false;
  let failed: string | null = null;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  for (const signal of SIGNALS) io.signals.on(signal, onSignal);
  const end = await readEventStream(io, {
    url: `${endpoint.value}/v1/query?stream=1`,
    token: resolveToken(options['httpToken'], io),
    lastEventId: null,
    idleMs: IDLE_MS,
    signal: stop.signal,
    postBody: body,
    onOpen: () => undefined,
    onMessage: (message) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (!isRecord(data)) return;
      if (message.event === 'error') failed = typeof data['error'] === 'string' ? data['error'] : 'the query failed';
      else io.stdout(json ? `${JSON.stringify({ type: message.event, ...data })}\n` : humanLine(message.event, data));
      // The agent ends the stream after these; reading on to its end lets the connection close cleanly.
      if (message.event === 'done' || message.event === 'error') done = true;
    },
  });
  for (const signal of SIGNALS) io.signals.off(signal, onSignal);
  if (failed !== null) {
    printErrors(io, [failed]);
    return EXIT_FAILURE;
  }
  if (done) return EXIT_OK;
  printErrors(io, [end.kind === 'stopped' ? 'the query was interrupted' : end.message]);
  return EXIT_FAILURE;
}

function queryBody(name: string, payload: string, options: Readonly<Record<string, unknown>>): Record<string, unknown> | string {
  const body: Record<string, unknown> = { name, payload };
  const nodes = options['node'];
  if (isStringArray(nodes)) body['nodes'] = nodes;
  const tagPairs = options['tag'];
  if (isStringArray(tagPairs)) {
    const tags: Record<string, string> = {};
    for (const pair of tagPairs) {
      const colon = pair.indexOf(':');
      if (colon <= 0) return `--tag ${JSON.stringify(pair)}: expected key:value (e.g. role:web)`;
      tags[pair.slice(0, colon)] = pair.slice(colon + 1);
    }
    body['tags'] = tags;
  }
  const timeout = options['timeout'];
  if (typeof timeout === 'string') {
    const ms = parseDurationText(timeout);
    if (ms === null || ms < 1 || ms > LIMITS.maxQueryTimeoutMs) {
      return `--timeout ${JSON.stringify(timeout)}: expected a duration from 1ms to ${formatDuration(LIMITS.maxQueryTimeoutMs)} (e.g. 3s)`;
    }
    body['timeoutMs'] = Math.round(ms);
  }
  return body;
}

function humanLine(event: string, data: Readonly<Record<string, unknown>>): string {
  const from = typeof data['from'] === 'string' ? data['from'] : '';
  switch (event) {
    case 'ack':
      return `ack       ${from}\n`;
    case 'response': {
      const payload = typeof data['payload'] === 'string' ? data['payload'] : '';
      return `response  ${from}  ${payload.includes('\n') ? JSON.stringify(payload) : payload}\n`;
    }
    case 'done': {
      const acks = Array.isArray(data['acks']) ? data['acks'].length : 0;
      const responses = Array.isArray(data['responses']) ? data['responses'].length : 0;
      const asked = typeof data['asked'] === 'number' ? data['asked'] : 0;
      return `${acks} of ${asked} members acknowledged, ${responses} answered\n`;
    }
    default:
      return '';
  }
}
