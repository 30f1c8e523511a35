// One agent as a child process: its stdout read line by line (each line stamped on arrival),
// started when a readiness line shows up, killed with the bench.
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { isRunning, killHard, spawnTracked } from './children.js';

export interface AgentProcess<Ready> {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ready: Ready;
}

export interface AgentProcessSpec<Ready> {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Every stdout line, with performance.now() at arrival. */
  readonly onLine: (line: string, atMs: number) => void;
  /** Recognises the line that says the agent runs, and extracts what the bench needs from it. */
  readonly readyFrom: (line: string) => Ready | null;
  readonly startTimeoutMs: number;
}

export function startAgentProcess<Ready>(spec: AgentProcessSpec<Ready>): Promise<AgentProcess<Ready>> {
  const child = spawnTracked(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      killHard(child);
      reject(new Error(`${spec.name}: ${why}${stderr === '' ? '' : `: ${stderr.trim()}`}`));
    };
    const timer = setTimeout(() => fail(`not running after ${spec.startTimeoutMs} ms`), spec.startTimeoutMs);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it was running`));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const atMs = performance.now();
      spec.onLine(line, atMs);
      if (settled) return;
      const ready = spec.readyFrom(line);
      if (ready === null || child.pid === undefined) return;
      settled = true;
      clearTimeout(timer);
      resolve({ name: spec.name, child, pid: child.pid, ready });
    });
  });
}

/** SIGINT/SIGTERM and wait (bounded) for the exit; SIGKILL if it takes too long. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => killHard(child), timeoutMs);
  await exited;
  clearTimeout(timer);
}
