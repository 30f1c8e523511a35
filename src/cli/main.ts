import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { processIo, type CliIo } from './io.js';
import { packageVersion } from './version.js';

type Register = (program: Command, context: CommandContext) => void;

/**
 * The commands in --help order, each loaded on use: `gossipd members` loads the members
 * command and what it needs (an HTTP client), not the agent, its logger and codec, nor the
 * simulator. A client command then starts in little more than Node's own start-up time.
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ['agent', async () => (await import('./agent.js')).registerAgent],
  ['members', async () => (await import('./members.js')).registerMembers],
  ['rtt', async () => (await import('./rtt.js')).registerRtt],
  ['watch', async () => (await import('./watch.js')).registerWatch],
  ['join', async () => (await import('./join.js')).registerJoin],
  ['leave', async () => (await import('./leave.js')).registerLeave],
  ['event', async () => (await import('./event.js')).registerEvent],
  ['query', async () => (await import('./query.js')).registerQuery],
  ['force-leave', async () => (await import('./force-leave.js')).registerForceLeave],
  ['info', async () => (await import('./info.js')).registerInfo],
  ['monitor', async () => (await import('./monitor.js')).registerMonitor],
  ['keys', async () => (await import('./keys.js')).registerKeys],
  ['tags', async () => (await import('./tags.js')).registerTags],
  ['keygen', async () => (await import('./keygen.js')).registerKeygen],
  ['simulate', async () => (await import('./simulate.js')).registerSimulate],
  ['plan', async () => (await import('./plan.js')).registerPlan],
];

/**
 * Runs the gossipd CLI on `argv` (process.argv: node, script, arguments…) and resolves with
 * the exit code: 0 success, 1 runtime failure, 2 usage or config error. It never exits the
 * process, so tests call it in-process with a fake `io`.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli: CliIo = { ...processIo(), ...io };
  let exitCode = EXIT_OK;
  const program = await buildProgram(cli, commandWord(argv), (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'node' });
  } catch (error) {
    // exitOverride turns commander's process.exit into this throw; help and version are not errors.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    printErrors(cli, [error instanceof Error ? error.message : String(error)]);
    return EXIT_FAILURE;
  }
  return exitCode;
}

/**
 * The command the first argument names, if it is one. With a program option first
 * (`gossipd --help members`) there is none: the program's help must then list every command.
 */
export function commandWord(argv: readonly string[]): string | undefined {
  const first = argv[2];
  return first !== undefined && !first.startsWith('-') ? first : undefined;
}

/**
 * Registers the named command alone when it is one; otherwise (no command, `help`, a typo)
 * every command, so that the program's help and commander's suggestions see them all. A
 * command's own parsing and --help do not depend on the others being there.
 */
async function buildProgram(io: CliIo, word: string | undefined, finish: (code: number) => void): Promise<Command> {
  // Settings made before .command() are inherited by every subcommand.
  const program = new Command('gossipd')
    .description('SWIM/Lifeguard gossip membership daemon and its command-line client')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(text.replace(/^error: /, 'gossipd: ')),
    })
    .showHelpAfterError('(add --help for usage)');
  const context = { io, finish };
  const named = COMMANDS.filter(([name]) => name === word);
  const registers = await Promise.all((named.length > 0 ? named : COMMANDS).map(([, load]) => load()));
  for (const register of registers) register(program, context);
  return program;
}
