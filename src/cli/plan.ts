import type { Command } from 'commander';
import { plan, type Plan } from '../plan/model.js';
import { EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';
import { addTimingOptions, resolveTiming } from './timing-options.js';

const HOURS_PER_YEAR = 365 * 24;

export function registerPlan(program: Command, context: CommandContext): void {
  const command = program
    .command('plan')
    .description('predict detection time, false failures, traffic and availability from the protocol parameters (no cluster needed)')
    .option('--nodes <n>', 'members in the cluster', '100')
    .option('--loss <fraction>', 'probability that a datagram is lost, 0..1', '0')
    .option('--failure-rate <per-hour>', 'λ: failures per member per hour (default: once a year)')
    .option('--repair-rate <per-hour>', 'μ: repairs per failed member per hour (default: 2, i.e. 30 min to repair)', '2')
    .option('--name-length <bytes>', 'typical member name length, for byte counts', '12')
    .option('--json', 'print the plan as one JSON object');
  addTimingOptions(command);
  command.action((_options: unknown, self: Command) => context.finish(runPlan(self.opts(), context.io)));
}

export function runPlan(flags: Readonly<Record<string, unknown>>, io: CliIo): number {
  const errors: string[] = [];
  const nodes = number(flags['nodes'], '--nodes', 2, 1_000_000, errors, true);
  const lossRate = number(flags['loss'], '--loss', 0, 0.99, errors);
  const failureRatePerHour = flags['failureRate'] === undefined ? 1 / HOURS_PER_YEAR : number(flags['failureRate'], '--failure-rate', 0, 1e6, errors);
  const repairRatePerHour = number(flags['repairRate'], '--repair-rate', 0, 1e6, errors);
  const nameLength = number(flags['nameLength'], '--name-length', 1, 128, errors, true);
  const timing = resolveTiming(flags, io);
  if (!timing.ok) errors.push(...timing.errors);
  if (errors.length > 0 || !timing.ok) {
    printErrors(io, errors);
    return EXIT_USAGE;
  }
  const result = plan({ nodes, lossRate, protocol: timing.value.options, failureRatePerHour, repairRatePerHour, nameLength });
  io.stdout(flags['json'] === true ? `${JSON.stringify({ profile: timing.value.profile, ...result })}\n` : table(result));
  return EXIT_OK;
}

function number(raw: unknown, flag: string, min: number, max: number, errors: string[], integer = false): number {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    errors.push(`${flag}: ${JSON.stringify(raw)} is not ${integer ? 'a whole number' : 'a number'} in ${min}..${max}`);
    return min;
  }
  return value;
}

function table(p: Plan): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  const sci = (x: number): string => (x === 0 ? '0' : x.toExponential(2));
  const rows: string[][] = [
    ['first detection (some member marks a crash failed)', s(p.firstDetectEstimateMs), `first probe of it after ≈ ${s(p.firstSuspicionMs)}`],
    ['all members detect, p50 / p99', `${s(p.allDetectP50Ms)} / ${s(p.allDetectP99Ms)}`, `bound (1 − 10⁻⁶): ${s(p.allDetectBoundMs)}`],
    [
      'suspicion timeout',
      `${s(p.suspicionTimeoutMinMs)} … ${s(p.suspicionTimeoutMaxMs)}`,
      p.pauseToleranceMs === null ? 'Lifeguard: shrinks with confirmations' : `pause tolerance ${s(p.pauseToleranceMs)}, + margin; unconfirmed: one more`,
    ],
    ['false suspicion per probe', sci(p.falseSuspicionPerProbeWithRetry), `SWIM without the second direct ping: ${sci(p.falseSuspicionPerProbe)}`],
    ['false failures per member-hour', sci(p.falseFailuresPerMemberHour), `per false suspicion: ${sci(p.falseFailurePerSuspicion)}`],
    ['datagrams per member per second', String(p.messagesPerMemberPerSec), 'steady state: probes, acks, anti-entropy'],
    ['bytes per member per second', String(p.bytesPerMemberPerSec), 'incl. 28 B IPv4+UDP headers, nothing to gossip'],
    ['rounds to spread an update', String(p.spreadRounds), `each update sent ${p.retransmitLimit} times`],
    ['P(false positive) / P(false negative)', `${sci(p.falsePositiveProbability)} / ${sci(p.falseNegativeProbability)}`, ''],
    ['availability A', p.availability.toFixed(9), 'μ/(μ+λ)·(1−P(FP))·(1−P(FN))'],
  ];
  return formatTable([`${p.nodes} members, ${(p.lossRate * 100).toFixed(1)} % loss`, 'PREDICTION', 'NOTE'], rows);
}
