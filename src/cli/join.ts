import type { Command } from 'commander';
import { parseAddress } from '../config/address.js';
import { NO_SEED_ANSWERED } from '../config/join-hint.js';
import { isRecord, isStringArray } from '../config/parsed.js';
import { addressKey } from '../protocol/types.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { callAgent, resolveEndpoint, resolveToken, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';

// The agent answers once every seed has answered or given up, which may take a few retries.
const TIMEOUT_MS = 30_000;

export function registerJoin(program: Command, context: CommandContext): void {
  program
    .command('join')
    .description('ask the local agent to join the cluster through these seeds')
    .argument('<addrs...>', 'seed addresses, host:port')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .action(async (addrs: unknown, _options: unknown, command: Command) => {
      context.finish(await runJoin(isStringArray(addrs) ? addrs : [], command.opts(), context.io));
    });
}

export async function runJoin(addrs: readonly string[], options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const endpoint = resolveEndpoint(options['http'], io);
  const errors = endpoint.ok ? [] : [endpoint.error];
  const seeds = new Set<string>();
  for (const addr of addrs) {
    const parsed = parseAddress(addr, { minPort: 1 });
    if (parsed.ok) seeds.add(addressKey(parsed.value));
    else errors.push(...parsed.errors);
  }
  if (!endpoint.ok || errors.length > 0) {
    printErrors(io, errors);
    return EXIT_USAGE;
  }
  const reply = await callAgent(io, endpoint.value, {
    method: 'POST',
    path: '/v1/join',
    body: { addrs: [...seeds] },
    timeoutMs: TIMEOUT_MS,
    token: resolveToken(options['httpToken'], io),
  });
  if (!reply.ok) {
    printErrors(io, [reply.error]);
    return EXIT_FAILURE;
  }
  const joined = isRecord(reply.value.json) ? reply.value.json['joined'] : undefined;
  if (typeof joined !== 'number') {
    printErrors(io, [`unexpected answer from the agent at ${endpoint.value}: no "joined" count`]);
    return EXIT_FAILURE;
  }
  io.stdout(`joined ${joined} of ${seeds.size} seeds\n`);
  if (joined === 0) printErrors(io, [NO_SEED_ANSWERED]);
  return joined === 0 ? EXIT_FAILURE : EXIT_OK;
}
