import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import type { CoordinateView, MemberView } from '../../src/agent/api.js';
import { main } from '../../src/cli/main.js';
import type { AgentConfig } from '../../src/config.js';
import { allAlive, fastConfig, waitFor } from './helpers.js';

// Three real agents over UDP on 127.0.0.1: coordinates travel on their pings and acks, and
// the HTTP endpoint and `gossipd rtt` read them. Bounds are generous for a slow shared machine.
describe('network coordinates over real UDP', () => {
  let agents: Agent[] = [];

  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    agents = [];
  });

  async function start(name: string, overrides: Partial<AgentConfig>, http = false): Promise<Agent> {
    const agent = createAgent(fastConfig(name, overrides), { http, monitorLoopDelay: false });
    await agent.start();
    agents.push(agent);
    return agent;
  }

  it.each(['local', 'tolerance'] as const)('every agent learns the others’ coordinates (%s profile); /v1/coordinates, ?near and gossipd rtt use them', async (profile) => {
    const a0 = await start('a0', { profile }, true);
    const seed = [a0.boundAddresses.udp];
    await start('a1', { profile, join: seed });
    await start('a2', { profile, join: seed });
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const learnt = (): boolean => agents.every((agent) => agent.coordinates().length === 3 && agent.protocol.coordinateStats.updates >= 3);
    expect(await waitFor(learnt, 20_000)).toBe(true);

    const url = `http://${a0.boundAddresses.http}`;
    const listed = await fetch(`${url}/v1/coordinates`);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as CoordinateView[];
    expect(body.map((entry) => entry.name).sort()).toEqual(['a0', 'a1', 'a2']);
    expect(body[0]?.name).toBe('a0');
    for (const entry of body) {
      expect(entry.coordinate.vec).toHaveLength(8);
      expect(entry.coordinate.error).toBeLessThanOrEqual(1.5);
    }

    const near = await fetch(`${url}/v1/members?near=a1`);
    expect(near.status).toBe(200);
    expect(((await near.json()) as MemberView[])[0]?.name).toBe('a1');
    expect((await fetch(`${url}/v1/members?near=nobody`)).status).toBe(404);

    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (text: string) => {
        stdout += text;
      },
      stderr: (text: string) => {
        stderr += text;
      },
      env: {},
    };
    expect(await main(['node', 'gossipd', 'rtt', 'a2', '--http', a0.boundAddresses.http], io)).toBe(0);
    // Loopback: well under a second, and positive.
    const match = /^Estimated a0 <-> a2 rtt: (\d+\.\d{3}) ms\n$/.exec(stdout);
    expect(match, stdout + stderr).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(Number(match?.[1])).toBeLessThan(1000);
    expect(a0.metrics()).toMatch(/gossipd_coordinates_dropped_total 0\n/);
  });
});
