import type { Command } from 'commander';
import { EXIT_OK, type CommandContext } from './context.js';
import { askAgent, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';

// A graceful leave waits (bounded) for the news to spread before the agent answers.
const TIMEOUT_MS = 30_000;

export function registerLeave(program: Command, context: CommandContext): void {
  program
    .command('leave')
    .description('ask the local agent to leave the cluster gracefully and stop')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .action(async (_options: unknown, command: Command) => {
      context.finish(await runLeave(command.opts(), context.io));
    });
}

export async function runLeave(options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const reply = await askAgent(io, options, { method: 'POST', path: '/v1/leave', timeoutMs: TIMEOUT_MS });
  if (!reply.ok) return reply.code;
  io.stdout(`the agent at ${reply.endpoint} is leaving the cluster\n`);
  return EXIT_OK;
}
