import type { Command } from 'commander';
import { formatDuration } from '../config/duration.js';
import { isRecord } from '../config/parsed.js';
import { EXIT_OK, type CommandContext } from './context.js';
import { askAgent } from './http-client.js';
import type { CliIo } from './io.js';

const TIMEOUT_MS = 10_000;

export function registerInfo(program: Command, context: CommandContext): void {
  program
    .command('info')
    .description('print the agent, cluster, protocol and runtime figures of the local agent (like `serf info`)')
    .option('--json', 'print the figures as the agent sends them (GET /v1/info)')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .action(async (_options: unknown, command: Command) => {
      context.finish(await runInfo(command.opts(), context.io));
    });
}

export async function runInfo(options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const reply = await askAgent(io, options, { method: 'GET', path: '/v1/info', timeoutMs: TIMEOUT_MS });
  if (!reply.ok) return reply.code;
  if (options['json'] === true) {
    io.stdout(`${JSON.stringify(reply.answer.json, null, 2)}\n`);
    return EXIT_OK;
  }
  io.stdout(formatInfo(reply.answer.json));
  return EXIT_OK;
}

/** Serf's layout: a section per part, one `key = value` line per figure. */
export function formatInfo(info: unknown): string {
  if (!isRecord(info)) return '';
  const lines: string[] = [];
  for (const [section, figures] of Object.entries(info)) {
    if (!isRecord(figures)) continue;
    lines.push(`${section}:`);
    for (const [key, value] of Object.entries(figures)) lines.push(`\t${key} = ${show(key, value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function show(key: string, value: unknown): string {
  if (typeof value === 'number' && key.endsWith('Ms')) return formatDuration(value);
  if (typeof value === 'number' && key.endsWith('Bytes') && value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(1)} MiB`;
  if (isRecord(value)) return Object.entries(value).map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return value === null ? '-' : String(value);
}
