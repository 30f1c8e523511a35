import type { Command } from 'commander';
import { isMonitorLevel, LOG_LEVEL_VALUES } from '../config/log-levels.js';
import { HTTP_LIMITS } from '../http/limits.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { readEventStream } from './event-stream-client.js';
import { resolveEndpoint, resolveToken, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo, ShutdownSignal } from './io.js';

const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];
const IDLE_MS = 3 * HTTP_LIMITS.eventHeartbeatMs;
const LEVELS = Object.keys(LOG_LEVEL_VALUES).join(', ');

export function registerMonitor(program: Command, context: CommandContext): void {
  program
    .command('monitor')
    .description(
      "stream the local agent's own log lines (JSON, one per line) until interrupted, like `serf monitor`; " +
        "lines below the agent's --log-level are never produced, whatever --log-level asks here",
    )
    .option('--log-level <level>', `least severe level to show: ${LEVELS} (default: info)`)
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .action(async (_options: unknown, command: Command) => {
      context.finish(await runMonitor(command.opts(), context.io));
    });
}

export async function runMonitor(options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const endpoint = resolveEndpoint(options['http'], io);
  if (!endpoint.ok) {
    printErrors(io, [endpoint.error]);
    return EXIT_USAGE;
  }
  const level = typeof options['logLevel'] === 'string' ? options['logLevel'] : 'info';
  if (!isMonitorLevel(level)) {
    printErrors(io, [`--log-level ${JSON.stringify(level)}: expected one of ${LEVELS}`]);
    return EXIT_USAGE;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  for (const signal of SIGNALS) io.signals.on(signal, onSignal);
  try {
    const end = await readEventStream(io, {
      url: `${endpoint.value}/v1/monitor?level=${level}`,
      token: resolveToken(options['httpToken'], io),
      lastEventId: null,
      idleMs: IDLE_MS,
      signal: stop.signal,
      onOpen: () => undefined,
      onMessage: (message) => {
        if (message.event === 'log') io.stdout(`${message.data}\n`);
        else if (message.event === 'error') io.stderr(`gossipd: ${message.data}\n`);
      },
    });
    if (end.kind === 'stopped') return EXIT_OK;
    printErrors(io, [end.message]);
    return EXIT_FAILURE;
  } finally {
    for (const signal of SIGNALS) io.signals.off(signal, onSignal);
  }
}
