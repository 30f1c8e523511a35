import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemberView } from '../../src/agent/api.js';
import { BIN, killAll, runCli, startAgentProcess, type AgentProcess } from './processes.js';

// Real `gossipd agent` processes driven by the CLI: event (through user-event hooks), query,
// info, monitor and force-leave, as an operator would use them. Steps share the cluster.
const dir = mkdtempSync(join(tmpdir(), 'gossipd-ops-'));
const hook = join(dir, 'on-event.sh');
writeFileSync(hook, `#!/bin/sh\ncat > "${dir}/$GOSSIPD_SELF-$GOSSIPD_USER_EVENT.payload"\necho "$GOSSIPD_USER_EVENT from $GOSSIPD_MEMBER" > "${dir}/$GOSSIPD_SELF-$GOSSIPD_USER_EVENT.env"\n`);
chmodSync(hook, 0o755);

async function poll(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

async function statusOf(observer: AgentProcess, subject: string): Promise<string | undefined> {
  const response = await fetch(`http://${observer.http}/v1/members`);
  return ((await response.json()) as MemberView[]).find((m) => m.name === subject)?.status;
}

describe('event, query, info, monitor and force-leave from the CLI', () => {
  const agents: AgentProcess[] = [];
  afterAll(() => {
    killAll(agents);
    rmSync(dir, { recursive: true, force: true });
  });

  it('start three agents with a user-event hook and a query handler', async () => {
    const args = (name: string): string[] => ['--on-event', `user-event=${hook}`, '--on-query', `version=echo ${name}-1.2`];
    agents.push(await startAgentProcess('o0', args('o0')));
    for (const name of ['o1', 'o2']) agents.push(await startAgentProcess(name, ['--join', agents[0]!.udp, ...args(name)]));
    expect(await poll(async () => (await Promise.all(agents.map((a) => statusOf(a, 'o2')))).every((s) => s === 'alive'), 20_000)).toBe(true);
  }, 40_000);

  it('gossipd event reaches every agent: payload on the hook stdin, name in GOSSIPD_USER_EVENT', async () => {
    const sent = await runCli(['event', 'deploy', 'release 42\nsecond line', '--http', agents[1]!.http]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^event "deploy" sent \(id o1\/\d+\/1\)$/m);
    const files = agents.map((a) => join(dir, `${a.name}-deploy.env`));
    expect(await poll(() => files.every((file) => existsSync(file)), 10_000)).toBe(true);
    for (const agent of agents) {
      expect(readFileSync(join(dir, `${agent.name}-deploy.payload`), 'utf8')).toBe('release 42\nsecond line');
      expect(readFileSync(join(dir, `${agent.name}-deploy.env`), 'utf8')).toBe('deploy from o1\n');
    }
    const tooBig = await runCli(['event', 'deploy', 'x'.repeat(257), '--http', agents[1]!.http]);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toContain('payload is 257 UTF-8 bytes (max 256)');
  }, 20_000);

  it('gossipd query prints acks and answers as they arrive, then a summary; --json gives JSON lines', async () => {
    const text = await runCli(['query', 'version', '--http', agents[0]!.http, '--timeout', '1s']);
    expect(text.code).toBe(0);
    for (const name of ['o0', 'o1', 'o2']) {
      expect(text.stdout).toMatch(new RegExp(`^ack\\s+${name}$`, 'm'));
      expect(text.stdout).toMatch(new RegExp(`^response\\s+${name}\\s+${name}-1\\.2$`, 'm'));
    }
    expect(text.stdout.trim().split('\n').at(-1)).toBe('3 of 3 members acknowledged, 3 answered');
    const json = await runCli(['query', 'version', '--node', 'o2', '--json', '--http', agents[0]!.http, '--timeout', '700ms']);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { type: 'ack', from: 'o2' },
      { type: 'response', from: 'o2', payload: 'o2-1.2' },
      { type: 'done', asked: 1, acks: ['o2'], responses: [{ from: 'o2', payload: 'o2-1.2' }] },
    ]);
  }, 20_000);

  it('gossipd info prints the figures, and --json the object', async () => {
    const text = await runCli(['info', '--http', agents[0]!.http]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^agent:$/m);
    expect(text.stdout).toMatch(/^\tname = o0$/m);
    expect(text.stdout).toMatch(/^\tmembers = alive=3, suspect=0, failed=0, left=0$/m);
    expect(text.stdout).toMatch(/^\tencrypted = false$/m);
    const json = await runCli(['info', '--json', '--http', agents[0]!.http]);
    const info = JSON.parse(json.stdout) as Record<string, Record<string, unknown>>;
    expect(Object.keys(info)).toEqual(['agent', 'cluster', 'protocol', 'runtime']);
    expect(info['cluster']?.['userEvents']).toMatchObject({ delivered: 1 });
  });

  it('gossipd monitor streams the agent log lines until interrupted', async () => {
    const monitor = spawn(process.execPath, [BIN, 'monitor', '--http', agents[0]!.http, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    monitor.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => monitor.once('exit', (code) => resolve(code)));
    // Keep sending until the monitor is connected and shows one (it connects asynchronously).
    const seen = await poll(async () => {
      await runCli(['event', 'ping', 'p', '--http', agents[0]!.http]);
      return out.includes('"msg":"user event sent"');
    }, 15_000);
    expect(seen).toBe(true);
    const line = out.split('\n').find((l) => l.includes('"msg":"user event sent"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 30, name: 'o0', event: 'ping' });
    monitor.kill('SIGINT');
    expect(await exited).toBe(0);
    const badLevel = await runCli(['monitor', '--http', agents[0]!.http, '--log-level', 'loud']);
    expect(badLevel.code).toBe(2);
  }, 30_000);

  it('gossipd force-leave refuses a live member and turns a failed one into left everywhere', async () => {
    const refused = await runCli(['force-leave', 'o1', '--http', agents[0]!.http]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('o1 is alive, not failed');
    agents[2]!.child.kill('SIGKILL');
    expect(await poll(async () => (await statusOf(agents[0]!, 'o2')) === 'failed', 20_000)).toBe(true);
    const forced = await runCli(['force-leave', 'o2', '--http', agents[0]!.http]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe('o2 forced out (now left)\n');
    expect(await poll(async () => (await statusOf(agents[1]!, 'o2')) === 'left', 10_000)).toBe(true);
    const pruned = await runCli(['force-leave', 'o2', '--prune', '--http', agents[0]!.http]);
    expect(pruned.stdout).toBe('o2 forced out and forgotten\n');
    expect(await poll(async () => (await statusOf(agents[1]!, 'o2')) === undefined, 10_000)).toBe(true);
  }, 40_000);
});
