import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent, type AgentDeps } from '../../src/agent/index.js';
import { runCli, type CliRun } from '../cli-run.js';
import type { AgentConfig } from '../../src/config.js';
import { fastConfig, waitFor } from './helpers.js';

// Run-time tags through the CLI and HTTP, spreading over real UDP; seeds given as names that
// resolve to several addresses (an injected resolver, and the system's `localhost`).
let agents: Agent[] = [];

afterEach(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  agents = [];
});

async function start(name: string, overrides: Partial<AgentConfig> = {}, deps: AgentDeps = {}): Promise<Agent> {
  const agent = createAgent(fastConfig(name, overrides), { http: false, ...deps });
  agents.push(agent);
  await agent.start();
  return agent;
}

const cli = (args: readonly string[]): Promise<CliRun> => runCli(args);

describe('tags at run time', () => {
  it('gossipd tags set|delete change the tags, and the other members see them', async () => {
    const a0 = await start('a0', {}, { http: true });
    const a1 = await start('a1', { join: [a0.boundAddresses.udp], tags: { zone: 'a' } }, { http: true });
    const http = a1.boundAddresses.http;
    expect(await waitFor(() => a0.member('a1')?.status === 'alive', 10_000)).toBe(true);
    const before = a1.protocol.selfMember.incarnation;
    // Listings are cached between changes: each agent's must still show every new tag set.
    const listed = async (agent: Agent): Promise<Record<string, string> | undefined> => {
      const members = (await (await fetch(`http://${agent.boundAddresses.http}/v1/members`)).json()) as { name: string; tags: Record<string, string> }[];
      return members.find((member) => member.name === 'a1')?.tags;
    };
    expect(await listed(a0)).toEqual({ zone: 'a' });
    expect(await listed(a1)).toEqual({ zone: 'a' });

    const set = await cli(['tags', 'set', 'role=web', 'metrics_port=9100', '--http', http]);
    expect(set).toEqual({ code: 0, stdout: 'metrics_port=9100\nrole=web\nzone=a\n', stderr: '' });
    expect(a1.protocol.selfMember.incarnation).toBe(before + 1);
    expect(await waitFor(() => a0.member('a1')?.tags['role'] === 'web', 10_000)).toBe(true);
    expect(await listed(a0)).toEqual({ metrics_port: '9100', role: 'web', zone: 'a' });
    expect(await listed(a1)).toEqual({ metrics_port: '9100', role: 'web', zone: 'a' });

    const deleted = await cli(['tags', 'delete', 'zone', 'nope', '--http', http]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('metrics_port=9100\nrole=web\n');
    expect(deleted.stderr).toBe('gossipd: tag "nope" was not set\n');
    expect(await waitFor(() => a0.member('a1')?.tags['zone'] === undefined, 10_000)).toBe(true);
    expect(a0.member('a1')?.tags).toEqual({ metrics_port: '9100', role: 'web' });
    expect(await listed(a0)).toEqual({ metrics_port: '9100', role: 'web' });

    expect(await cli(['tags', '--http', http, '--json'])).toEqual({ code: 0, stdout: '{"metrics_port":"9100","role":"web"}\n', stderr: '' });
    const bad = await cli(['tags', 'set', 'novalue', '--http', http]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"novalue" is not key=value');

    // Setting the same tags again changes nothing, so nothing is gossiped.
    const incarnation = a1.protocol.selfMember.incarnation;
    expect((await cli(['tags', 'set', 'role=web', '--http', http])).code).toBe(0);
    expect(a1.protocol.selfMember.incarnation).toBe(incarnation);
  });

  it('the metrics of a live agent show its probes and traffic', async () => {
    const a0 = await start('a0', {}, { http: true });
    await start('a1', { join: [a0.boundAddresses.udp] });
    // Until a0 knows a1 alive and has had a direct probe of it answered.
    const directAcks = (): number => a0.protocol.stats.probesAcked - a0.protocol.stats.probesAckedIndirect;
    expect(await waitFor(() => a0.member('a1')?.status === 'alive' && directAcks() > 0, 10_000)).toBe(true);
    const text = await (await fetch(`http://${a0.boundAddresses.http}/metrics`)).text();
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('gossipd_members{status="alive"}')).toBe(2);
    expect(value('gossipd_probes_total{result="direct_ok"}')).toBeGreaterThan(0);
    expect(value('gossipd_packets_sent_total{type="ping"}')).toBeGreaterThan(0);
    expect(value('gossipd_bytes_received_total{type="ack"}')).toBeGreaterThan(0);
    expect(value('gossipd_probe_rtt_seconds_count')).toBe(value('gossipd_probes_total{result="direct_ok"}'));
  });
});

describe('seeds that are DNS names', () => {
  it('joins every address a name resolves to, deduplicated, leaving out the other IP family', async () => {
    const s0 = await start('s0', { bind: { host: '127.0.0.2', port: 0 } });
    const port = Number(s0.boundAddresses.udp.split(':')[1]);
    await start('s1', { bind: { host: '127.0.0.3', port } });
    const lookups: string[] = [];
    const joiner = await start('j', {}, {
      lookupHost: (host) => {
        lookups.push(host);
        return Promise.resolve(['127.0.0.2', '127.0.0.3', '127.0.0.2', '::1']);
      },
    });
    expect(await joiner.join([`seeds.test:${port}`])).toEqual({ ok: true, value: { joined: 2 } });
    expect(lookups).toEqual(['seeds.test']);
  });

  it('resolves the seeds again on each retry while alone, and joins once the name points somewhere', async () => {
    const s0 = await start('s0', { bind: { host: '127.0.0.2', port: 0 } });
    const port = Number(s0.boundAddresses.udp.split(':')[1]);
    let lookups = 0;
    const joiner = await start('j', { join: [`seeds.test:${port}`] }, {
      lookupHost: () => {
        lookups++;
        // At first nothing is there (say, a headless service before its pods start).
        return lookups < 2 ? Promise.reject(new Error('queryA ENOTFOUND seeds.test')) : Promise.resolve(['127.0.0.2']);
      },
    });
    expect(await waitFor(() => joiner.member('s0')?.status === 'alive', 10_000)).toBe(true);
    expect(lookups).toBeGreaterThanOrEqual(2);
  });

  it('joins through localhost with the system resolver', async () => {
    const s0 = await start('s0', { bind: { host: '127.0.0.1', port: 0 } });
    const joiner = await start('j');
    expect(await joiner.join([`localhost:${s0.boundAddresses.udp.split(':')[1]}`])).toEqual({ ok: true, value: { joined: 1 } });
    expect(await joiner.join(['no-such-host.invalid:7946'])).toMatchObject({
      ok: false,
      reason: 'bad-address',
      error: expect.stringMatching(/cannot resolve seed no-such-host.invalid:7946/) as unknown,
    });
  });
});
