// Every process the bench starts, so that all of them die with it: on exit, Ctrl-C or a crash.
// Stopped (SIGSTOP) children get SIGCONT first, so that SIGKILL is delivered at once.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();
let installed = false;

export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  installCleanup();
  const child = spawn(command, args, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export function killHard(child: ChildProcess): void {
  if (!isRunning(child)) return;
  child.kill('SIGCONT');
  child.kill('SIGKILL');
}

export function killAllChildren(): void {
  for (const child of running) killHard(child);
}

function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}: killing ${running.size} agent processes\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}
