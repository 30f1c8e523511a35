import { afterAll, describe, expect, it } from 'vitest';
import type { MemberView } from '../../src/agent/api.js';
import { killAll, runCli, startAgentProcess, type AgentProcess } from './processes.js';

// Real `gossipd agent` processes on 127.0.0.1, driven through the CLI and HTTP, as a new user
// would. One scenario in steps: each step relies on the cluster the previous one left.
const NAMES = ['e0', 'e1', 'e2', 'e3', 'e4'];

async function members(agent: AgentProcess): Promise<MemberView[]> {
  const response = await fetch(`http://${agent.http}/v1/members`);
  return (await response.json()) as MemberView[];
}

async function statusOf(observer: AgentProcess, subject: string): Promise<string | undefined> {
  try {
    return (await members(observer)).find((m) => m.name === subject)?.status;
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

async function everyoneSees(observers: readonly AgentProcess[], subject: string, status: string): Promise<boolean> {
  const seen = await Promise.all(observers.map((o) => statusOf(o, subject)));
  return seen.every((s) => s === status);
}

describe('five gossipd agent processes', () => {
  const agents = new Map<string, AgentProcess>();
  const live = (): AgentProcess[] => [...agents.values()].filter((a) => a.child.exitCode === null && a.child.signalCode === null);

  afterAll(() => killAll([...agents.values()]));

  it('start, join through the first, and converge', async () => {
    const first = await startAgentProcess('e0');
    agents.set('e0', first);
    for (const name of NAMES.slice(1)) agents.set(name, await startAgentProcess(name, ['--join', first.udp, '--tag', `role=${name}`]));
    const converged = await poll(async () => {
      const views = await Promise.all(live().map((a) => members(a)));
      return views.every((view) => view.length === 5 && view.every((m) => m.status === 'alive'));
    }, 20_000);
    expect(converged).toBe(true);
  });

  it('answers the CLI: a table for people and JSON for scripts', async () => {
    const http = agents.get('e1')!.http;
    const table = await runCli(['members', '--http', http]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ADDRESS\s+STATUS\s+INCARNATION\s+SINCE\s+TAGS$/);
    expect(lines).toHaveLength(6);
    expect(table.stdout).toContain('role=e3');
    const json = await runCli(['members', '--http', http, '--json', '--status', 'alive']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as MemberView[];
    expect(parsed.map((m) => m.name).sort()).toEqual(NAMES);
    for (const m of parsed) {
      expect(Object.keys(m).sort()).toEqual(['addr', 'incarnation', 'name', 'port', 'since', 'status', 'tags']);
      expect(new Date(m.since).toISOString()).toBe(m.since);
    }
    const self = (await (await fetch(`http://${http}/v1/self`)).json()) as MemberView & { config: { cluster: string } };
    expect(self.name).toBe('e1');
    expect(self.config.cluster).toBe('e2e');
    const health = await fetch(`http://${http}/v1/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
  });

  it('a process paused for less than the suspicion timeout is not marked failed', async () => {
    const paused = agents.get('e2')!;
    const others = live().filter((a) => a !== paused);
    const seen = new Set<string>();
    paused.child.kill('SIGSTOP');
    const until = Date.now() + 400;
    while (Date.now() < until) {
      for (const o of others) seen.add((await statusOf(o, 'e2')) ?? 'unknown');
    }
    paused.child.kill('SIGCONT');
    const watchUntil = Date.now() + 3_000;
    while (Date.now() < watchUntil) {
      for (const o of others) seen.add((await statusOf(o, 'e2')) ?? 'unknown');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen.has('failed')).toBe(false);
    expect(await poll(() => everyoneSees(others, 'e2', 'alive'), 10_000)).toBe(true);
  });

  it('a killed process is marked failed by all others, and its restart is alive again', async () => {
    const victim = agents.get('e3')!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const others = live();
    expect(await poll(() => everyoneSees(others, 'e3', 'failed'), 20_000)).toBe(true);
    const port = victim.udp.split(':')[1]!;
    const reborn = await startAgentProcess('e3', ['--bind', `127.0.0.1:${port}`, '--join', agents.get('e0')!.udp]);
    agents.set('e3', reborn);
    expect(await poll(() => everyoneSees(others, 'e3', 'alive'), 20_000)).toBe(true);
  });

  it('`gossipd leave` makes the agent leave gracefully: others see left, it exits 0', async () => {
    const leaver = agents.get('e4')!;
    const result = await runCli(['leave', '--http', leaver.http]);
    expect(result.code).toBe(0);
    expect(await leaver.exited).toBe(0);
    const others = live();
    expect(await poll(() => everyoneSees(others, 'e4', 'left'), 10_000)).toBe(true);
  });

  it('SIGTERM leaves gracefully and exits 0', async () => {
    const leaver = agents.get('e1')!;
    leaver.child.kill('SIGTERM');
    expect(await leaver.exited).toBe(0);
    const others = live();
    expect(await poll(() => everyoneSees(others, 'e1', 'left'), 10_000)).toBe(true);
    const statusLines = others[0]!.logs.filter((l) => l['msg'] === 'member left' && l['member'] === 'e1');
    expect(statusLines[0]).toMatchObject({ level: 30, from: 'alive', to: 'left' });
  });

  it('a bad option exits 2 and names it', async () => {
    const result = await runCli(['agent', '--probe-interval', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--probe-interval');
  });
});
