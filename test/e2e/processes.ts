import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/gossipd.js', import.meta.url));

/** The fast timing flags. */
export const FAST_FLAGS = [
  '--profile', 'local',
  '--probe-interval', '200ms',
  '--probe-timeout', '100ms',
  '--gossip-interval', '50ms',
  '--suspicion-mult', '4',
];

export interface AgentProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly udp: string;
  readonly http: string;
  /** Every JSON log line so far. */
  readonly logs: Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `gossipd agent` on 127.0.0.1 with free ports and waits for its "agent running" line.
 * `env`: variables added to this process's environment (e.g. GOSSIPD_ENCRYPT, kept out of argv).
 */
export async function startAgentProcess(
  name: string,
  extraArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<AgentProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'agent', '--name', name, '--bind', '127.0.0.1:0', '--http', '127.0.0.1:0', '--cluster', 'e2e', ...FAST_FLAGS, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const running = new Promise<{ udp: string; http: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry['msg'] === 'agent running') resolve({ udp: String(entry['udp']), http: String(entry['http']) });
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`agent ${name} exited with ${code} before running: ${stderr}`)));
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`agent ${name} did not start within 20 s: ${stderr}`)), 20_000).unref(),
  );
  const { udp, http } = await Promise.race([running, timeout]);
  return { name, child, udp, http, logs, exited };
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function killAll(processes: readonly AgentProcess[]): void {
  for (const p of processes) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
  }
}
