import type { Command } from 'commander';
import type { CoordinateView } from '../agent/api.js';
import { isRecord } from '../config/parsed.js';
import { estimatedRttMs } from '../protocol/coordinates.js';
import { EXIT_FAILURE, EXIT_OK, printErrors, type CommandContext } from './context.js';
import { askAgent, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';

const TIMEOUT_MS = 10_000;

export function registerRtt(program: Command, context: CommandContext): void {
  program
    .command('rtt')
    .description(
      'estimate the round trip between the local agent (or OTHER) and NAME from their network coordinates (Vivaldi, like `serf rtt`): no packet is sent to them',
    )
    .argument('<name>', 'a member whose coordinate the agent holds')
    .argument('[other]', 'estimate from this member instead of the local agent')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .option('--json', 'print {"from","to","rttMs"}')
    .action(async (name: string, other: string | undefined, _options: unknown, command: Command) => {
      context.finish(await runRtt(name, other, command.opts(), context.io));
    });
}

export async function runRtt(name: string, other: string | undefined, options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const reply = await askAgent(io, options, { method: 'GET', path: '/v1/coordinates', timeoutMs: TIMEOUT_MS });
  if (!reply.ok) return reply.code;
  const entries = readCoordinates(reply.answer.json);
  if (entries === null || entries.length === 0) {
    printErrors(io, [`unexpected answer from the agent at ${reply.endpoint}: not a list of coordinates`]);
    return EXIT_FAILURE;
  }
  // The agent lists its own coordinate first.
  const from = other === undefined ? entries[0] : entries.find((entry) => entry.name === other);
  const to = entries.find((entry) => entry.name === name);
  const missing = [other === undefined || from !== undefined ? null : other, to === undefined ? name : null].filter((x) => x !== null);
  if (from === undefined || to === undefined) {
    printErrors(io, missing.map((n) => `no network coordinate of ${JSON.stringify(n)}: not a member, or this agent has not sampled its round trip yet`));
    return EXIT_FAILURE;
  }
  const rttMs = estimatedRttMs(from.coordinate, to.coordinate);
  if (options['json'] === true) {
    io.stdout(`${JSON.stringify({ from: from.name, to: to.name, rttMs: round3(rttMs) })}\n`);
  } else {
    io.stdout(`Estimated ${from.name} <-> ${to.name} rtt: ${rttMs.toFixed(3)} ms\n`);
  }
  return EXIT_OK;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The entries of a GET /v1/coordinates answer, checked enough to compute with; null when it is not one. */
function readCoordinates(json: unknown): CoordinateView[] | null {
  if (!Array.isArray(json)) return null;
  const entries: CoordinateView[] = [];
  for (const item of json as unknown[]) {
    if (!isRecord(item) || typeof item['name'] !== 'string' || !isRecord(item['coordinate'])) return null;
    const c = item['coordinate'];
    const vec = c['vec'];
    const numbers = [c['height'], c['adjustment'], c['error']];
    if (!Array.isArray(vec) || !(vec as unknown[]).every(isFiniteNumber) || !numbers.every(isFiniteNumber)) return null;
    entries.push({
      name: item['name'],
      coordinate: { vec: vec as number[], height: c['height'] as number, adjustment: c['adjustment'] as number, error: c['error'] as number },
    });
  }
  return entries;
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}
