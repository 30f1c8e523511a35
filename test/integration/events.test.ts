import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import type { MembershipEvent } from '../../src/agent/membership-event.js';
import type { AgentConfig } from '../../src/config.js';
import { SseReader } from '../sse-reader.js';
import { allAlive, fastConfig, waitFor } from './helpers.js';

const agents: Agent[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(agents.splice(0).map((agent) => agent.stop()));
});

async function startAgent(name: string, overrides: Partial<AgentConfig> = {}): Promise<Agent> {
  const agent = createAgent(fastConfig(name, overrides), { monitorLoopDelay: false });
  agents.push(agent);
  await agent.start();
  return agent;
}

async function webhookReceiver(): Promise<{ url: string; events: MembershipEvent[] }> {
  const events: MembershipEvent[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      events.push(JSON.parse(body) as MembershipEvent);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, events };
}

describe('membership events across a real cluster', () => {
  it('a survivor streams the crash (suspect, then failed, each with who said so) and runs its hook and webhook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipd-events-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const hook = join(dir, 'failover.sh');
    writeFileSync(hook, `#!/bin/sh\nprintf '%s %s %s\\n' "$GOSSIPD_MEMBER" "$GOSSIPD_BY" "$GOSSIPD_SELF" >> "${dir}/failed.log"\n`);
    chmodSync(hook, 0o755);
    const receiver = await webhookReceiver();

    const survivor = await startAgent('s0', { onEvent: [{ event: 'member-failed', command: hook }], webhooks: [receiver.url] });
    const stream = await SseReader.open(`http://${survivor.boundAddresses.http}/v1/events`);
    cleanups.push(() => stream.close());
    const peer = await startAgent('s1', { join: [survivor.boundAddresses.udp] });
    const victim = await startAgent('s2', { join: [survivor.boundAddresses.udp] });
    expect(await waitFor(() => allAlive([survivor, peer, victim]), 10_000)).toBe(true);
    expect(await stream.waitFor(() => stream.data('member-join').length === 2, 5000)).toBe(true);

    await victim.stop();
    expect(await stream.waitFor(() => stream.data('member-failed').some((e) => e['member'] === 's2'), 20_000)).toBe(true);
    const failed = stream.data('member-failed').find((e) => e['member'] === 's2');
    expect(failed).toMatchObject({ type: 'member-failed', status: 'failed', previous: 'suspect' });
    expect(['s0', 's1']).toContain(failed?.['by']);
    const suspected = stream.data('member-suspect').find((e) => e['member'] === 's2');
    expect(['s0', 's1']).toContain(suspected?.['by']);
    const ids = stream.messages.map((m) => Number(m.lastEventId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);

    expect(await waitFor(() => receiver.events.some((e) => e.type === 'member-failed' && e.member === 's2'), 10_000)).toBe(true);
    expect(receiver.events.find((e) => e.type === 'member-failed')?.id).toBe(failed?.['id']);
    let hookLog = '';
    expect(
      await waitFor(() => {
        try {
          hookLog = readFileSync(join(dir, 'failed.log'), 'utf8');
        } catch {
          return false;
        }
        return hookLog.length > 0;
      }, 10_000),
    ).toBe(true);
    expect(hookLog).toBe(`s2 ${String(failed?.['by'])} s0\n`);
  });

  it('lets the hook for its own leave finish before the agent stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipd-events-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const command = `sleep 0.3; echo "$GOSSIPD_MEMBER $GOSSIPD_PREVIOUS_STATUS" > "${dir}/left"`;
    const agent = await startAgent('l0', { onEvent: [{ event: 'member-leave', command }] });
    await agent.leave();
    await agent.stopped;
    expect(readFileSync(join(dir, 'left'), 'utf8')).toBe('l0 alive\n');
  });

  it('answers a blocking query as soon as someone joins', async () => {
    const first = await startAgent('b0');
    const initial = await fetch(`http://${first.boundAddresses.http}/v1/members`);
    const index = initial.headers.get('x-gossipd-index');
    expect(index).toBe(String(first.events.index()));
    const pending = fetch(`http://${first.boundAddresses.http}/v1/members?index=${index}&wait=1m`);
    await startAgent('b1', { join: [first.boundAddresses.udp] });
    const answer = await pending;
    expect(Number(answer.headers.get('x-gossipd-index'))).toBeGreaterThan(Number(index));
    expect(((await answer.json()) as { name: string }[]).map((m) => m.name)).toContain('b1');
  });
});
