import type { CliIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gossipd ARGS` in this process, capturing what it prints; `io` overrides the rest (env empty by default). */
export async function runCli(args: readonly string[], io: Partial<CliIo> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'gossipd', ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    ...io,
  });
  return { code, stdout, stderr };
}
