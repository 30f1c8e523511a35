import { Option, type Command } from 'commander';
import type { Logger } from 'pino';
import type { Agent } from '../agent/agent.js';
import { resolveConfig, type AgentConfig } from '../config.js';
import { AGENT_DEFAULTS } from '../config/defaults.js';
import { keyNamesList, type KeyNames } from '../config/keys.js';
import { isStringArray } from '../config/parsed.js';
import { CONFIG_ENV, CONFIG_FLAG } from '../config/sources.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import type { CliIo, ShutdownSignal } from './io.js';
import { describeStartError } from './start-error.js';
import { AGENT_LIMITS } from '../agent/limits.js';
import { LogTee } from '../agent/log-tee.js';

const SHUTDOWN_SIGNALS: readonly ShutdownSignal[] = ['SIGTERM', 'SIGINT'];

const AGENT_HELP_FOOTER = `
Durations take a unit: 500ms, 2s, 1.5s, 1m, 24h (only in the config file does a
bare number mean milliseconds). Every option is also a GOSSIPD_* environment
variable (--probe-interval: GOSSIPD_PROBE_INTERVAL; lists comma-separated, as in
GOSSIPD_JOIN=a:7946,b:7946 and GOSSIPD_TAGS=role=web,zone=a) and a camelCase
config file key (probeInterval; join as an array, tags as an object).
Precedence: flag > environment > config file > profile > default.
SIGTERM or SIGINT leaves the cluster gracefully; a second signal stops at once.`;

export function registerAgent(program: Command, context: CommandContext): void {
  const command = program.command('agent').description('run the gossip agent (the daemon)');
  const keys = keyNamesList();
  command.optionsGroup('Agent options:');
  for (const names of keys.filter((key) => key.group === 'agent')) command.addOption(keyOption(names));
  command.addOption(
    new Option(`${CONFIG_FLAG} <file>`, `JSON config file with camelCase keys; unknown keys are errors (env ${CONFIG_ENV})`),
  );
  command.optionsGroup(`Timing options (defaults of the ${AGENT_DEFAULTS.profile} profile; --profile changes them):`);
  for (const names of keys.filter((key) => key.group === 'timing')) command.addOption(keyOption(names));
  command.addHelpText('after', AGENT_HELP_FOOTER).action(async (_options: unknown, self: Command) => {
    context.finish(await runAgent(self.opts(), context.io));
  });
}

function keyOption(names: KeyNames): Option {
  const option = new Option(`${names.flag} ${names.argName}`, names.help);
  // No commander defaults: resolveConfig must see only what the user typed, or flags would
  // always beat the environment and the config file.
  return names.repeatable ? option.argParser(collect) : option;
}

function collect(value: string, previous: unknown): string[] {
  return [...(isStringArray(previous) ? previous : []), value];
}

/** Resolves the config, runs the agent until it stops, and maps the outcome to an exit code. */
export async function runAgent(flags: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const resolved = resolveConfig({ flags, env: io.env, readFile: io.readFile, hostname: io.hostname() });
  if (!resolved.ok) {
    printErrors(io, resolved.errors);
    return EXIT_USAGE;
  }
  const config = resolved.value;
  const logTee = new LogTee(AGENT_LIMITS.maxMonitors);
  const logger = await createLogger(config, io, logTee);
  let agent: Agent | undefined;
  try {
    agent = await io.createAgent(config, { logger, logFeed: logTee });
    await agent.start();
  } catch (error) {
    const message = describeStartError(error, config);
    logger.error({ err: error }, message);
    printErrors(io, [message]);
    // start() may have bound one socket before the other failed; release it.
    await agent?.stop().catch(() => undefined);
    return EXIT_FAILURE;
  }
  logger.info({ udp: agent.boundAddresses.udp, http: agent.boundAddresses.http }, 'agent running');
  return runUntilStopped(agent, logger, io);
}

/** pino to stdout (or the test's stream), and every line also to `tee` for `gossipd monitor`. */
async function createLogger(config: AgentConfig, io: CliIo, tee: LogTee): Promise<Logger> {
  const { pino } = await import('pino');
  const options = { level: config.logLevel, base: { name: config.name } };
  const main = io.logStream ?? pino.destination(1);
  // Each stream takes every line the logger's level lets through.
  return pino(options, pino.multistream([{ level: 'trace', stream: main }, { level: 'trace', stream: tee }]));
}

/** First signal: graceful leave (DESIGN §3). Second signal: the operator is done waiting. */
async function runUntilStopped(agent: Agent, logger: Logger, io: CliIo): Promise<number> {
  let signals = 0;
  let leaveFailed = false;
  const onSignal = (signal: ShutdownSignal): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: stopping without waiting for the leave to spread');
      agent.stop().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
      return;
    }
    logger.info({ signal }, 'leaving the cluster (send the signal again to stop at once)');
    agent.leave().catch((error: unknown) => {
      leaveFailed = true;
      logger.error({ err: error }, 'graceful leave failed; stopping');
      return agent.stop().catch((stopError: unknown) => logger.error({ err: stopError }, 'stop failed'));
    });
  };
  for (const signal of SHUTDOWN_SIGNALS) io.signals.on(signal, onSignal);
  try {
    await agent.stopped;
    return leaveFailed ? EXIT_FAILURE : EXIT_OK;
  } catch (error) {
    logger.error({ err: error }, 'agent stopped with an error');
    printErrors(io, [`agent stopped with an error: ${error instanceof Error ? error.message : String(error)}`]);
    return EXIT_FAILURE;
  } finally {
    for (const signal of SHUTDOWN_SIGNALS) io.signals.off(signal, onSignal);
  }
}
