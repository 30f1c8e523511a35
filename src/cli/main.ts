import { Command, CommanderError } from 'commander';
import { registerAgent } from './agent.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors } from './context.js';
import { processIo, type CliIo } from './io.js';
import { registerJoin } from './join.js';
import { registerKeygen } from './keygen.js';
import { registerKeys } from './keys.js';
import { registerLeave } from './leave.js';
import { registerMembers } from './members.js';
import { registerPlan } from './plan.js';
import { registerRtt } from './rtt.js';
import { registerSimulate } from './simulate.js';
import { registerWatch } from './watch.js';
import { registerTags } from './tags.js';
import { packageVersion } from './version.js';

/**
 * Runs the gossipd CLI on `argv` (process.argv: node, script, arguments…) and resolves with
 * the exit code: 0 success, 1 runtime failure, 2 usage or config error. It never exits the
 * process, so tests call it in-process with a fake `io`.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli: CliIo = { ...processIo(), ...io };
  let exitCode = EXIT_OK;
  const program = buildProgram(cli, (code) => {
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

function buildProgram(io: CliIo, finish: (code: number) => void): Command {
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
  registerAgent(program, context);
  registerMembers(program, context);
  registerRtt(program, context);
  registerWatch(program, context);
  registerJoin(program, context);
  registerLeave(program, context);
  registerKeys(program, context);
  registerTags(program, context);
  registerKeygen(program, context);
  registerSimulate(program, context);
  registerPlan(program, context);
  return program;
}
