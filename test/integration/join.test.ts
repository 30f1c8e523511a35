import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import { fastConfig } from './helpers.js';

describe('join through the agent', () => {
  let agents: Agent[] = [];
  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    agents = [];
  });

  it('answers a join that names only the agent itself at once: no seed to contact, 0 joined', async () => {
    // The core finishes such an attempt within the join call itself; the answer used to be
    // lost because the agent waited for it only after the call returned.
    const agent = createAgent(fastConfig('solo'), { http: false });
    agents.push(agent);
    await agent.start();
    expect(await agent.join([agent.boundAddresses.udp])).toEqual({ ok: true, value: { joined: 0 } });
  }, 10_000);

  it('refuses a join while leaving as a matter of state, not of the addresses given', async () => {
    const agent = createAgent(fastConfig('leaver'), { http: false });
    agents.push(agent);
    await agent.start();
    const leaving = agent.leave();
    expect(await agent.join(['127.0.0.1:7'])).toMatchObject({ ok: false, reason: 'not-running' });
    await leaving;
  });
});
