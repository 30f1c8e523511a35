import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './processes.js';

// What `gossipd members` really loads, in a real process of the built CLI (dist/): none of the
// agent, its logger, codec or crypto, and not the global fetch's undici, which alone took
// longer to load than the request. test/unit/cli-lazy.test.ts checks the same from the sources.

const RECORDER = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gossipd-cli-startup-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port on 127.0.0.1 that nothing listens on any more. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs the CLI with the recorder and returns its exit code, stderr and everything it loaded. */
function runRecorded(args: readonly string[], name: string): { code: number | null; stderr: string; loaded: string[] } {
  const file = join(dir, `${name}.txt`);
  const result = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
    env: { ...process.env, RECORD_LOADS: file },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stderr: result.stderr, loaded: readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') };
}

describe('gossipd members, as a process', () => {
  it('loads no agent, logger, codec, crypto or fetch', async () => {
    const port = await closedPort();
    const run = runRecorded(['members', '--http', `127.0.0.1:${port}`], 'members');
    expect(run.stderr).toContain(`cannot reach the agent at http://127.0.0.1:${port}`);
    expect(run.code).toBe(1);
    // The recorder saw the CLI itself: the check below cannot pass by seeing nothing.
    expect(run.loaded.some((line) => line.endsWith('/dist/cli/members.js'))).toBe(true);
    expect(run.loaded.some((line) => line.includes('http'))).toBe(true);
    // (node:child_process and with it node:dgram come with commander, which can run subcommands as programs.)
    const heavy = run.loaded.filter((line) =>
      /\/dist\/(agent|sim|plan|crypto|transport|codec\/codec)|node_modules\/(pino|msgpackr)\/|undici|NativeModule crypto$/.test(line),
    );
    expect(heavy).toEqual([]);
  });

  it('while `gossipd agent` does load crypto: the recorder sees what the test above refuses', () => {
    // A bad flag value stops the agent before it binds anything, once its config rules (with
    // the key checks, node:crypto) are loaded.
    const run = runRecorded(['agent', '--probe-interval', 'fast'], 'agent');
    expect(run.code).toBe(2);
    expect(run.loaded.some((line) => /NativeModule crypto$/.test(line))).toBe(true);
  });
});
