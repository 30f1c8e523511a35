import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { parseDurationText } from '../config/duration.js';
import { invalid, valid, type Checked } from '../result.js';
import type { SimulationReport } from '../sim/report.js';
import type { PartitionFault, PauseFault, ScenarioOptions, StallFault } from '../sim/scenario.js';
import { EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';
import { MAX_REGIONS } from '../sim/latency.js';
import { addTimingOptions, resolveTiming } from './timing-options.js';

/** Above this many members a run starts converged unless --start says otherwise: a join storm of 10,000 takes long. */
const JOIN_START_MAX_NODES = 1000;
const MAX_NODES = 20_000;

export function registerSimulate(program: Command, context: CommandContext): void {
  const command = program
    .command('simulate')
    .description('run a deterministic simulated cluster (the real protocol and codec on a virtual clock) and report')
    .option('--nodes <n>', 'members in the cluster', '100')
    .option('--duration <duration>', 'simulated time', '300s')
    .option('--seed <n>', 'random seed; the same seed gives the same run (default: random, printed in the report)')
    .option('--loss <fraction>', 'probability that a datagram is lost, 0..1', '0')
    .option('--latency <range>', 'one-way latency, uniform in MIN-MAX', '1ms-5ms')
    .option('--regions <k>', `latency model instead of --latency: K regions (1..${MAX_REGIONS}), round trips of 1-2 ms inside one and 30-80 ms between two, fixed per pair; the report then gives the network coordinates' error against it`)
    .option('--crash <k>', 'members that crash at --fault-at', '1')
    .option('--pause <k:duration>', 'K members frozen at --fault-at for DURATION (e.g. 3:8s)')
    .option('--partition <fraction:duration>', 'that fraction of members cut off at --fault-at for DURATION (e.g. 0.3:60s); add :oneway for one-way')
    .option('--stall <fraction:duration:every>', 'that fraction of members (never crashed or paused ones) each frozen for DURATION once every EVERY, at its own phase, for the whole run (e.g. 0.1:2s:60s); their failures count as false')
    .option('--churn <rate>', 'that fraction of the members restarted per simulated minute, evenly spread: crashed and started again at once, same name and address, new incarnation, joining through 3 running members (e.g. 0.01)', '0')
    .option('--restart <fraction>', 'that fraction of the members restarted all at once at --fault-at (a mass restart): same name and address, new incarnation, each joining through 3 random running members (e.g. 0.3)', '0')
    .option('--fault-at <duration>', 'when the faults happen (default: a third of --duration)')
    .addOption(new Option('--start <mode>', `join: members start within 1 s and join through earlier ones; converged: they start knowing each other (default: join up to ${JOIN_START_MAX_NODES} members, converged above)`).choices(['join', 'converged']))
    .addOption(new Option('--wire <mode>', 'direct: receivers get the sent messages, sizes counted exactly from the codec; codec: encode and decode every datagram (slower, same report)').choices(['direct', 'codec']).default('direct'))
    .option('--json', 'print the report as one JSON object');
  addTimingOptions(command);
  command.action(async (_options: unknown, self: Command) => {
    context.finish(await runSimulate(self.opts(), context.io));
  });
}

export async function runSimulate(flags: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const parsed = parseScenario(flags, io);
  if (!parsed.ok) {
    printErrors(io, parsed.errors);
    return EXIT_USAGE;
  }
  const started = performance.now();
  let lastProgress = 0;
  // Loaded on use, like the agent: other commands start faster without the simulator.
  const { runScenario } = await import('../sim/scenario.js');
  const report = await runScenario({
    ...parsed.value,
    onProgress: (simulatedMs, durationMs) => {
      const wallMs = performance.now() - started;
      if (wallMs - lastProgress < 1000) return;
      lastProgress = wallMs;
      const speed = simulatedMs / Math.max(1, wallMs);
      io.stderr(`\rsimulated ${formatSeconds(simulatedMs)} of ${formatSeconds(durationMs)} (${speed.toFixed(1)}× real time)   `);
    },
  });
  if (lastProgress > 0) io.stderr('\n');
  io.stdout(flags['json'] === true ? `${JSON.stringify(report)}\n` : summary(report));
  return EXIT_OK;
}

function parseScenario(flags: Readonly<Record<string, unknown>>, io: CliIo): Checked<Omit<ScenarioOptions, 'onProgress'>> {
  const errors: string[] = [];
  const nodes = integer(flags['nodes'], '--nodes', 2, MAX_NODES, errors);
  const durationMs = duration(flags['duration'], '--duration', errors);
  const seed = flags['seed'] === undefined ? randomInt(2 ** 31) : integer(flags['seed'], '--seed', 0, 2 ** 32 - 1, errors);
  const lossRate = fraction(flags['loss'], '--loss', errors);
  const latencyMs = latency(flags['latency'], errors);
  const regions = flags['regions'] === undefined ? undefined : integer(flags['regions'], '--regions', 1, MAX_REGIONS, errors);
  const crash = integer(flags['crash'], '--crash', 0, nodes - 1, errors);
  const pause = flags['pause'] === undefined ? null : pauseFault(flags['pause'], errors);
  const partition = flags['partition'] === undefined ? null : partitionFault(flags['partition'], errors);
  const stall = flags['stall'] === undefined ? null : stallFault(flags['stall'], errors);
  const churn = fraction(flags['churn'], '--churn', errors);
  const restart = fraction(flags['restart'], '--restart', errors);
  const faultAtMs = flags['faultAt'] === undefined ? Math.round(durationMs / 3) : duration(flags['faultAt'], '--fault-at', errors);
  if (faultAtMs > durationMs) errors.push(`--fault-at: ${faultAtMs} ms is after the end of the run (--duration ${durationMs} ms)`);
  if (crash + (pause?.count ?? 0) >= nodes) errors.push(`--crash and --pause: ${crash} + ${pause?.count ?? 0} members leave none running out of ${nodes}`);
  const stalling = stall === null ? 0 : Math.round(stall.fraction * nodes);
  if (crash + (pause?.count ?? 0) + stalling > nodes) {
    errors.push(`--stall: ${stalling} stalling members do not fit beside ${crash} crashed and ${pause?.count ?? 0} paused out of ${nodes}`);
  } else if (churn > 0 && crash + (pause?.count ?? 0) + stalling >= nodes) {
    errors.push(`--churn: every member crashes, pauses or stalls, which leaves none to restart`);
  }
  const timing = resolveTiming(flags, io);
  if (!timing.ok) errors.push(...timing.errors);
  if (errors.length > 0 || !timing.ok) return invalid(...errors);
  const start = flags['start'] === 'join' || flags['start'] === 'converged' ? flags['start'] : nodes > JOIN_START_MAX_NODES ? 'converged' : 'join';
  return valid({
    nodes,
    durationMs,
    seed,
    profile: timing.value.profile,
    protocol: timing.value.options,
    lossRate,
    latencyMs,
    crash,
    pause,
    partition,
    stall,
    churn,
    restart,
    faultAtMs,
    start,
    wire: flags['wire'] === 'codec' ? 'codec' : 'direct',
    ...(regions === undefined ? {} : { regions }),
  });
}

function integer(raw: unknown, flag: string, min: number, max: number, errors: string[]): number {
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    errors.push(`${flag}: ${JSON.stringify(raw)} is not a whole number in ${min}..${max}`);
    return min;
  }
  return value;
}

function duration(raw: unknown, flag: string, errors: string[]): number {
  const value = typeof raw === 'string' ? parseDurationText(raw) : null;
  if (value === null || value <= 0) {
    errors.push(`${flag}: ${JSON.stringify(raw)} is not a duration (use e.g. 500ms, 60s, 5m)`);
    return 1;
  }
  return value;
}

function fraction(raw: unknown, flag: string, errors: string[]): number {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 1)) {
    errors.push(`${flag}: ${JSON.stringify(raw)} is not a fraction in 0..1 (e.g. 0.05)`);
    return 0;
  }
  return value;
}

function latency(raw: unknown, errors: string[]): readonly [number, number] {
  const parts = typeof raw === 'string' ? raw.split('-') : [];
  const [min, max] = parts.map((part) => parseDurationText(part.trim()));
  if (parts.length !== 2 || min === null || max === null || min === undefined || max === undefined || min > max) {
    errors.push(`--latency: ${JSON.stringify(raw)} is not a range MIN-MAX (e.g. 1ms-5ms)`);
    return [1, 5];
  }
  return [min, max];
}

function pauseFault(raw: unknown, errors: string[]): PauseFault | null {
  const [count, length, ...rest] = typeof raw === 'string' ? raw.split(':') : [];
  const before = errors.length;
  const parsed = { count: integer(count, '--pause count', 1, MAX_NODES, errors), durationMs: duration(length, '--pause duration', errors) };
  if (rest.length > 0) errors.push(`--pause: ${JSON.stringify(raw)} is not K:DURATION (e.g. 3:8s)`);
  return errors.length > before ? null : parsed;
}

function partitionFault(raw: unknown, errors: string[]): PartitionFault | null {
  const [share, length, mode, ...rest] = typeof raw === 'string' ? raw.split(':') : [];
  const before = errors.length;
  const parsed = {
    fraction: fraction(share, '--partition fraction', errors),
    durationMs: duration(length, '--partition duration', errors),
    oneWay: mode === 'oneway',
  };
  if (rest.length > 0 || (mode !== undefined && mode !== 'oneway')) {
    errors.push(`--partition: ${JSON.stringify(raw)} is not FRACTION:DURATION[:oneway] (e.g. 0.3:60s)`);
  }
  return errors.length > before ? null : parsed;
}

function stallFault(raw: unknown, errors: string[]): StallFault | null {
  const [share, length, every, ...rest] = typeof raw === 'string' ? raw.split(':') : [];
  const before = errors.length;
  const parsed = {
    fraction: fraction(share, '--stall fraction', errors),
    durationMs: duration(length, '--stall duration', errors),
    everyMs: duration(every, '--stall every', errors),
  };
  if (rest.length > 0) errors.push(`--stall: ${JSON.stringify(raw)} is not FRACTION:DURATION:EVERY (e.g. 0.1:2s:60s)`);
  else if (errors.length === before && parsed.durationMs >= parsed.everyMs) {
    errors.push(`--stall: a stall of ${parsed.durationMs} ms must be shorter than its period of ${parsed.everyMs} ms`);
  }
  return errors.length > before ? null : parsed;
}

function summary(report: SimulationReport): string {
  const ms = (value: number | null): string => (value === null ? 'never' : formatSeconds(value));
  const e = report.expected;
  const rows: string[][] = [
    ['members', String(report.nodes), ''],
    ['seed', String(report.seed), 'same seed, same run'],
    ['profile / loss', `${report.profile} / ${(report.lossRate * 100).toFixed(1)} %`, ''],
    ['simulated / wall', `${formatSeconds(report.simulatedMs)} / ${formatSeconds(report.wallMs)}`, `${(report.simulatedMs / Math.max(1, report.wallMs)).toFixed(1)}× real time`],
    ['converged after', ms(report.convergenceMs), 'every member sees every member alive'],
    ['crashes', String(report.crashes.length), ''],
    ['first detection p50 / max', `${ms(report.detection.firstP50Ms)} / ${ms(report.detection.firstMaxMs)}`, `expected ≈ ${ms(e.firstDetectEstimateMs)}`],
    ['all detected p50 / max', `${ms(report.detection.allP50Ms)} / ${ms(report.detection.allMaxMs)}`, `expected ≈ ${ms(e.allDetectEstimateMs)}, bound ${ms(e.allDetectBoundMs)}`],
    ['false failures', String(report.falseFailures), '(observer, member) pairs'],
    ['false suspicions', `${report.falseSuspicions} (${report.falseSuspicionsOriginated} started)`, `started: SWIM ≈ ${e.falseSuspicionsExpected.toFixed(1)}, with the second ping ≈ ${e.falseSuspicionsExpectedWithRetry.toFixed(1)}`],
    ['paused members failed', String(report.pausedFailures), '(observer, member) pairs'],
    ['stalls / stalling failed', `${report.stalls} / ${report.stallFailures}`, 'stall failures are among the false failures'],
    ['mass restart', report.massRestart === null ? '—' : `${report.massRestart.members} members`, report.massRestart === null ? '' : `all alive everywhere after ${ms(report.massRestart.allAliveMs)}, ${report.massRestart.failedPairs} pairs saw one failed`],
    ['restarts / recovered', `${report.restarts} / ${report.restartsRecovered}`, `recovery p50 ${ms(report.restartRecoveryMs.p50)}, max ${ms(report.restartRecoveryMs.max)}`],
    ['stuck at the end', String(report.stuck), '(observer, running member) pairs not seen alive'],
    ['healed after partition', report.healedMs === null ? '-' : ms(report.healedMs), ''],
    [
      'failed across it after the heal',
      report.partitionFailuresAfterHeal === null ? '-' : String(report.partitionFailuresAfterHeal),
      report.partitionHealBoundMs === null ? '' : `(observer, member) pairs still or again failed ${ms(report.partitionHealBoundMs)} after the heal`,
    ],
    ['datagrams / member / s', `${report.perNode.msgsSentPerSec.mean} (max ${report.perNode.msgsSentPerSec.max})`, 'after convergence'],
    ['bytes / member / s', `${report.perNode.bytesSentPerSec.mean} (max ${report.perNode.bytesSentPerSec.max})`, 'incl. 28 B IPv4+UDP headers'],
    ['full-state transfers', `${report.fullStateTransfers} (${report.statePacketsSent} datagrams)`, 'whole run, joins included'],
    ['peak memory', `${(report.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB`, 'RSS of the whole simulating process'],
    ['suspicion timeout', `${ms(e.suspicionTimeoutMinMs)} … ${ms(e.suspicionTimeoutMaxMs)}`, `retransmit limit ${e.retransmitLimit}`],
  ];
  const c = report.coordinateError;
  if (c !== undefined) {
    const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
    rows.push(['coordinate error p50 / p90', `${pct(c.p50)} / ${pct(c.p90)}`, `|estimated − true| / true RTT, ${c.pairs} pairs, ${report.regions ?? 0} regions`]);
    rows.push(['  inside / between regions', `${pct(c.insideRegion.p50)} / ${pct(c.betweenRegions.p50)}`, `p50 (p90 ${pct(c.insideRegion.p90)} / ${pct(c.betweenRegions.p90)})`]);
  }
  return formatTable(['', 'RESULT', 'NOTE'], rows);
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : `${(ms / 1000).toFixed(1)}s`;
}
