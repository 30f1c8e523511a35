import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { HTTP_LIMITS } from '../http/limits.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { readEventStream } from './event-stream-client.js';
import { resolveEndpoint, resolveToken, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo, ShutdownSignal } from './io.js';
import type { SseMessage } from './sse-parser.js';
import { formatWatchLine, WATCH_HEADER } from './watch-format.js';

const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];
/** Reconnection backoff: first quickly (an agent restart takes a moment), then at most every 5 s. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
/** Heartbeats come every HTTP_LIMITS.eventHeartbeatMs: three missed ones mean the connection is dead. */
const IDLE_MS = 3 * HTTP_LIMITS.eventHeartbeatMs;

export function registerWatch(program: Command, context: CommandContext): void {
  program
    .command('watch')
    .description('print membership events as they happen (join, suspect, failed, leave, …) until interrupted')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .option('--json', 'print each event as one JSON line, as the agent sends it')
    .action(async (_options: unknown, command: Command) => {
      context.finish(await runWatch(command.opts(), context.io));
    });
}

/**
 * Follows GET /v1/events. Exits 1 if the agent cannot be reached at first; once connected,
 * it reconnects whenever the stream is lost (the agent restarted), resuming with
 * Last-Event-ID, until SIGINT or SIGTERM (exit 0).
 */
export async function runWatch(options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const endpoint = resolveEndpoint(options['http'], io);
  if (!endpoint.ok) {
    printErrors(io, [endpoint.error]);
    return EXIT_USAGE;
  }
  const json = options['json'] === true;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  for (const signal of SIGNALS) io.signals.on(signal, onSignal);
  try {
    return await follow(io, `${endpoint.value}/v1/events`, resolveToken(options['httpToken'], io), json, stop.signal);
  } finally {
    for (const signal of SIGNALS) io.signals.off(signal, onSignal);
  }
}

async function follow(io: CliIo, url: string, token: string | null, json: boolean, stop: AbortSignal): Promise<number> {
  let lastEventId: string | null = null;
  let connectedOnce = false;
  let retryMs = FIRST_RETRY_MS;
  let outage = false;
  for (;;) {
    const end = await readEventStream(io, {
      url,
      token,
      lastEventId,
      idleMs: IDLE_MS,
      signal: stop,
      onOpen: () => {
        // The header once connected: a person sees at once whether the agent was reached.
        if (!json && !connectedOnce) io.stdout(WATCH_HEADER);
        if (outage) io.stderr(`gossipd: reconnected to ${url}\n`);
        connectedOnce = true;
        outage = false;
        retryMs = FIRST_RETRY_MS;
      },
      onMessage: (message) => {
        lastEventId = message.lastEventId;
        print(io, message, json);
      },
    });
    switch (end.kind) {
      case 'stopped':
        return EXIT_OK;
      case 'refused':
        // 503: too many streams or the agent is stopping; both pass. Anything else will not.
        if (end.status !== 503 || !connectedOnce) {
          printErrors(io, [end.message]);
          return EXIT_FAILURE;
        }
        break;
      case 'unreachable':
        if (!connectedOnce) {
          printErrors(io, [`cannot reach the agent at ${url} (is 'gossipd agent' running?)`]);
          return EXIT_FAILURE;
        }
        break;
      case 'lost':
        break;
      default: {
        const unhandled: never = end;
        throw new Error(`unhandled stream end ${JSON.stringify(unhandled)}`);
      }
    }
    if (!outage && end.kind === 'lost') io.stderr(`gossipd: ${end.message}; reconnecting…\n`);
    outage = true;
    await delay(retryMs, undefined, { signal: stop }).catch(() => undefined); // an abort ends the wait early
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    if (stop.aborted) return EXIT_OK;
  }
}

function print(io: CliIo, message: SseMessage, json: boolean): void {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return;
  }
  if (json) {
    io.stdout(`${JSON.stringify(data)}\n`);
    return;
  }
  const line = formatWatchLine(message.event, data);
  if (line !== null) io.stdout(line);
}
