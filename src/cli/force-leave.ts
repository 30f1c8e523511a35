import type { Command } from 'commander';
import { isRecord } from '../config/parsed.js';
import { EXIT_OK, type CommandContext } from './context.js';
import { askAgent, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';

const TIMEOUT_MS = 10_000;

export function registerForceLeave(program: Command, context: CommandContext): void {
  program
    .command('force-leave')
    .description('mark a failed member as left on every member now, instead of waiting for the reap (an alive or suspect member is refused)')
    .argument('<name>', 'the failed member')
    .option('--prune', 'also forget it at once everywhere (as the reap would after --reap-timeout)')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .action(async (name: string, _options: unknown, command: Command) => {
      context.finish(await runForceLeave(name, command.opts(), context.io));
    });
}

export async function runForceLeave(name: string, options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const prune = options['prune'] === true;
  const reply = await askAgent(io, options, { method: 'POST', path: '/v1/force-leave', body: { name, prune }, timeoutMs: TIMEOUT_MS });
  if (!reply.ok) return reply.code;
  const status = isRecord(reply.answer.json) ? String(reply.answer.json['status']) : '?';
  io.stdout(status === 'forgotten' ? `${name} forced out and forgotten\n` : `${name} forced out (now ${status})\n`);
  return EXIT_OK;
}
