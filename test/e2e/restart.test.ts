import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemberView } from '../../src/agent/api.js';
import { killAll, startAgentProcess, type AgentProcess } from './processes.js';

async function view(agent: AgentProcess, subject: string): Promise<MemberView | undefined> {
  try {
    const response = await fetch(`http://${agent.http}/v1/members/${subject}`);
    return response.ok ? ((await response.json()) as MemberView) : undefined;
  } catch {
    return undefined;
  }
}

async function poll(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

// `gossipd agent --data-dir`: killed with SIGKILL (no leave, no final snapshot), restarted with
// the same command minus --join, it rejoins through the members it remembered.
describe('gossipd agent --data-dir', () => {
  const processes: AgentProcess[] = [];
  let dir = '';

  afterAll(async () => {
    killAll(processes);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('a killed agent restarted with only --data-dir rejoins with a higher incarnation', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gossipd-e2e-data-'));
    const seed = await startAgentProcess('d0');
    processes.push(seed);
    const first = await startAgentProcess('d1', ['--join', seed.udp, '--data-dir', dir]);
    processes.push(first);
    expect(await poll(async () => (await view(seed, 'd1'))?.status === 'alive', 10_000)).toBe(true);
    const before = await view(seed, 'd1');
    // The snapshot is written at most once a second; give it time to hold d0.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await poll(async () => (await view(seed, 'd1'))?.status === 'failed', 15_000)).toBe(true);

    const again = await startAgentProcess('d1', ['--data-dir', dir, '--bind', first.udp]);
    processes.push(again);
    expect(again.logs.some((line) => line['msg'] === 'snapshot loaded')).toBe(true);
    expect(await poll(async () => (await view(seed, 'd1'))?.status === 'alive', 10_000)).toBe(true);
    expect((await view(seed, 'd1'))?.incarnation).toBeGreaterThan(before?.incarnation ?? Infinity);
    expect(await poll(async () => (await view(again, 'd0'))?.status === 'alive', 10_000)).toBe(true);
  });
});
