import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import { allAlive, fastConfig, sees, waitFor } from './helpers.js';

type LogLine = Record<string, unknown>;

function loggedAgent(name: string, join: readonly string[]): { agent: Agent; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  return { agent: createAgent(fastConfig(name, { join }), { http: false, logger }), logs };
}

// Two agents started with the same --name at different addresses, over real UDP.
describe('two agents claiming one name', () => {
  let agents: Agent[] = [];
  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    agents = [];
  });

  it('the conflict is logged on both sides; the live holder keeps the name', async () => {
    const first = loggedAgent('a0', []);
    await first.agent.start();
    const second = loggedAgent('a1', [first.agent.boundAddresses.udp]);
    await second.agent.start();
    agents = [first.agent, second.agent];
    const seed = first.agent.boundAddresses.udp;
    const holder = loggedAgent('twin', [seed]);
    agents.push(holder.agent);
    await holder.agent.start();
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const holderAddr = holder.agent.boundAddresses.udp;

    // A second agent with the same name (a copied config), joining through a1.
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a later wall-clock incarnation
    const claimant = loggedAgent('twin', [agents[1]!.boundAddresses.udp]);
    agents.push(claimant.agent);
    await claimant.agent.start();
    const claimantAddr = claimant.agent.boundAddresses.udp;

    const warned = (logs: LogLine[], msg: RegExp): LogLine | undefined => logs.find((l) => l['level'] === 40 && msg.test(String(l['msg'])));
    // Holder side: the seed the claimant joined through refused the claim...
    expect(await waitFor(() => warned(second.logs, /a live member already holds this name/) !== undefined, 10_000)).toBe(true);
    expect(warned(second.logs, /already holds/)).toMatchObject({ member: 'twin', held: holderAddr, claimed: claimantAddr });
    // ...and told the claimant, which logs it too.
    expect(await waitFor(() => warned(claimant.logs, /another agent uses this agent's name/) !== undefined, 10_000)).toBe(true);
    expect(warned(claimant.logs, /another agent uses/)).toMatchObject({ member: 'twin', ours: claimantAddr, theirs: holderAddr });
    // The cluster still holds the name at the first address, and the first agent is alive.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const observer of agents.slice(0, 2)) {
      expect(observer.member('twin')).toMatchObject({ status: 'alive', port: Number(holderAddr.split(':')[1]) });
    }
    expect(sees(agents[0]!, 'twin', 'alive')).toBe(true);
  });
});
