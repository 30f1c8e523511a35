import { createAgent, type Agent } from '../../src/agent/index.js';
import { defaultConfig, EXPERIMENT_TIMING, type AgentConfig } from '../../src/config.js';
import type { MemberStatus } from '../../src/protocol/types.js';

/** An agent on 127.0.0.1 with free ports and the fast experiment timing of the issue. */
export function fastConfig(name: string, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return defaultConfig(name, {
    ...EXPERIMENT_TIMING,
    profile: 'local',
    bind: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    cluster: 'integration',
    logLevel: 'silent',
    ...overrides,
  });
}

/** Starts `count` agents on 127.0.0.1; each joins through the first. */
export async function startCluster(count: number, overrides: Partial<AgentConfig> = {}): Promise<Agent[]> {
  const first = createAgent(fastConfig('a0', overrides), { http: false });
  await first.start();
  const agents = [first];
  for (let i = 1; i < count; i++) {
    const agent = createAgent(fastConfig(`a${i}`, { ...overrides, join: [first.boundAddresses.udp] }), { http: false });
    await agent.start();
    agents.push(agent);
  }
  return agents;
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

export function sees(observer: Agent, subject: string, status: MemberStatus): boolean {
  return observer.member(subject)?.status === status;
}

export function allAlive(agents: readonly Agent[]): boolean {
  return agents.every((observer) => agents.every((subject) => sees(observer, subject.name, 'alive')));
}

/**
 * Probe rounds after which each member of a cluster of `clusterSize` has probed every peer at
 * least once: the probe order visits every peer once per pass, so any 2(n − 1) − 1 consecutive
 * rounds hold a whole pass (n − 1 peers; SWIM §4.3).
 */
export function roundsToProbeEveryPeer(clusterSize: number): number {
  return 2 * (clusterSize - 1) - 1;
}

/** Each agent's count of acknowledged probes now: a mark to measure protocol progress from. */
export function ackedProbes(agents: readonly Agent[]): number[] {
  return agents.map((agent) => agent.protocol.stats.probesAcked);
}

/**
 * Polls until every agent has had `count` more probes acknowledged than at `marks` (from
 * ackedProbes): proof that each kept probing and its peers kept answering, in protocol rounds
 * rather than wall time, so a slow machine takes longer instead of failing.
 */
export function waitForAckedProbes(agents: readonly Agent[], marks: readonly number[], count: number, timeoutMs: number): Promise<boolean> {
  return waitFor(() => agents.every((agent, i) => agent.protocol.stats.probesAcked >= (marks[i] ?? 0) + count), timeoutMs);
}

/** Suspicions the agents started between them (after a missed probe of their own). */
export function suspicionsStarted(agents: readonly Agent[]): number {
  return agents.reduce((sum, agent) => sum + agent.protocol.stats.suspicionsStarted, 0);
}
