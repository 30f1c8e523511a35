import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, systemClock, type Agent, type Clock } from '../../src/agent/index.js';
import { allAlive, fastConfig, sees, waitFor } from './helpers.js';

type LogLine = Record<string, unknown>;

function loggedAgent(name: string, join: readonly string[], clock: Clock = systemClock): { agent: Agent; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  return { agent: createAgent(fastConfig(name, { join }), { http: false, logger, clock }), logs };
}

/** The system clock with the wall clock set ahead: a later start, so a later wall-clock incarnation. */
function aheadBy(ms: number): Clock {
  return { ...systemClock, wallMs: () => systemClock.wallMs() + ms };
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
    const claimant = loggedAgent('twin', [agents[1]!.boundAddresses.udp], aheadBy(5_000));
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
    // The cluster still holds the name at the first address, and the first agent is alive:
    // checked once the observers have each probed every member twice more since the claim.
    const observers = agents.slice(0, 2);
    const probesAt = observers.map((observer) => observer.protocol.stats.probes);
    const rounds = 2 * agents.length;
    expect(await waitFor(() => observers.every((o, i) => o.protocol.stats.probes >= (probesAt[i] ?? 0) + rounds), 20_000)).toBe(true);
    for (const observer of observers) {
      expect(observer.member('twin')).toMatchObject({ status: 'alive', port: Number(holderAddr.split(':')[1]) });
    }
    expect(sees(agents[0]!, 'twin', 'alive')).toBe(true);
  });
});
