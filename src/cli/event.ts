import type { Command } from 'commander';
import { LIMITS } from '../codec/limits.js';
import { isRecord } from '../config/parsed.js';
import { EXIT_OK, type CommandContext } from './context.js';
import { askAgent, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';

const TIMEOUT_MS = 10_000;

export function registerEvent(program: Command, context: CommandContext): void {
  program
    .command('event')
    .description(
      `send a user event to every member (each delivers it once, in order per sender, to watchers, ` +
        `--on-event user-event hooks and webhooks); PAYLOAD is UTF-8 text of at most ${LIMITS.maxUserEventPayloadBytes} bytes`,
    )
    .argument('<name>', `event name (1 to ${LIMITS.maxEventNameBytes} bytes, no control characters)`)
    .argument('[payload]', 'event payload (default: empty)')
    .option('--coalesce', 'keep only the latest event of this name while one is still in flight (Serf coalescing)')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .action(async (name: string, payload: string | undefined, _options: unknown, command: Command) => {
      context.finish(await runEvent(name, payload ?? '', command.opts(), context.io));
    });
}

export async function runEvent(name: string, payload: string, options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const reply = await askAgent(io, options, {
    method: 'POST',
    path: '/v1/user-events',
    body: { name, payload, coalesce: options['coalesce'] === true },
    timeoutMs: TIMEOUT_MS,
  });
  if (!reply.ok) return reply.code;
  const id = isRecord(reply.answer.json) ? String(reply.answer.json['id']) : '?';
  io.stdout(`event "${name}" sent (id ${id})\n`);
  return EXIT_OK;
}
