import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** How one run of a command ended. Only `exited` with code 0 is a success. */
export type CommandOutcome =
  | { readonly kind: 'exited'; readonly code: number; readonly ms: number; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'signaled'; readonly signal: string; readonly ms: number; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'timed-out'; readonly ms: number; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'spawn-error'; readonly error: string; readonly ms: number };

export interface CommandSpec {
  /** Run with `/bin/sh -c`. */
  readonly command: string;
  /** Written to its stdin, which is then closed. */
  readonly input: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  /** Bytes kept from the end of stdout and of stderr. */
  readonly tailBytes: number;
  /** After it exits, how long to wait for its pipes to close (a background child may hold them open). */
  readonly pipeGraceMs: number;
}

export interface CommandRun {
  readonly done: Promise<CommandOutcome>;
  /** Signal its whole process group (the agent is stopping). */
  kill(signal: NodeJS.Signals): void;
}

/**
 * Runs one hook command in its own process group, so that a timeout kills whatever the script
 * started too, not only the shell. Never rejects: every way it can end is an outcome.
 */
export function runCommand(spec: CommandSpec): CommandRun {
  const startedMs = performance.now();
  const elapsed = (): number => Math.round(performance.now() - startedMs);
  const stdout = new Tail(spec.tailBytes);
  const stderr = new Tail(spec.tailBytes);
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', spec.command], { env: spec.env, stdio: 'pipe', detached: true });
  } catch (error) {
    // spawn throws synchronously on bad arguments (a NUL byte); config validation should prevent it.
    const outcome: CommandOutcome = { kind: 'spawn-error', error: errorText(error), ms: 0 };
    return { done: Promise.resolve(outcome), kill: () => undefined };
  }
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group is already gone; fall back to the shell itself in case it never made one.
      child.kill(signal);
    }
  };
  const done = new Promise<CommandOutcome>((resolve) => {
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGKILL');
    }, spec.timeoutMs);
    let settled = false;
    const settle = (outcome: CommandOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(outcome);
    };
    const finish = (): void => {
      if (exit === undefined) return;
      const ms = elapsed();
      const output = { ms, stdout: stdout.text(), stderr: stderr.text() };
      if (timedOut) settle({ kind: 'timed-out', ...output });
      else if (exit.code !== null) settle({ kind: 'exited', code: exit.code, ...output });
      else settle({ kind: 'signaled', signal: exit.signal ?? 'unknown', ...output });
    };
    child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
    // A command that does not read its stdin may exit first: EPIPE then is no failure of ours.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(spec.input);
    child.once('error', (error) => settle({ kind: 'spawn-error', error: error.message, ms: elapsed() }));
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      graceTimer = setTimeout(finish, spec.pipeGraceMs);
    });
    child.once('close', finish);
  });
  return { done, kill: killGroup };
}

/** The last `maxBytes` of a stream, decoded as UTF-8 when asked for. */
class Tail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - (this.chunks[0]?.length ?? 0) >= this.maxBytes) {
      this.bytes -= this.chunks.shift()?.length ?? 0;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.maxBytes)).toString('utf8').trim();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
