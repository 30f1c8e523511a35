import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import { parseSnapshot, SNAPSHOT_FILE, type Snapshot } from '../../src/agent/snapshot.js';
import { incarnation } from '../../src/protocol/types.js';
import { allAlive, fastConfig, sees, startCluster, waitFor } from './helpers.js';

type LogLine = Record<string, unknown>;

/** An agent with a data dir whose info-level logs are kept for the assertions. */
function rememberingAgent(name: string, dataDir: string, port: number, join: readonly string[] = []): { agent: Agent; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  const agent = createAgent(fastConfig(name, { dataDir, join, bind: { host: '127.0.0.1', port } }), { http: false, logger });
  return { agent, logs };
}

async function readSnapshot(dir: string, name: string): Promise<Snapshot | undefined> {
  try {
    const parsed = parseSnapshot(await readFile(join(dir, SNAPSHOT_FILE), 'utf8'), { cluster: 'integration', name });
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

function port(agent: Agent): number {
  return Number(agent.boundAddresses.udp.split(':').at(-1));
}

describe('restarts that remember (--data-dir)', () => {
  let agents: Agent[] = [];
  let dir = '';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gossipd-restart-'));
  });
  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    agents = [];
    await rm(dir, { recursive: true, force: true });
  });

  it('a crashed agent restarted with only --data-dir rejoins, above its old incarnation', async () => {
    agents = await startCluster(3);
    const first = rememberingAgent('r0', dir, 0, [agents[0]!.boundAddresses.udp]);
    agents.push(first.agent);
    await first.agent.start();
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    // The debounced snapshot catches up with the converged table within about a second.
    let remembered: Snapshot | undefined;
    expect(
      await waitFor(() => {
        void readSnapshot(dir, 'r0').then((s) => (remembered = s));
        return remembered !== undefined && remembered.members.filter((m) => m.status === 'alive').length === 3;
      }, 5_000),
    ).toBe(true);
    const oldIncarnation = first.agent.protocol.selfMember.incarnation;
    const udpPort = port(first.agent);
    await first.agent.stop(); // a crash, as far as the others know: no leave
    agents = agents.filter((a) => a !== first.agent);
    // Once it is failed nobody probes it: coming back is up to the restarted agent itself.
    expect(await waitFor(() => agents.every((a) => sees(a, 'r0', 'failed')), 15_000)).toBe(true);

    const second = rememberingAgent('r0', dir, udpPort); // no --join
    agents.push(second.agent);
    await second.agent.start();
    expect(second.agent.protocol.selfMember.incarnation).toBeGreaterThan(oldIncarnation);
    const loaded = second.logs.find((l) => l['msg'] === 'snapshot loaded');
    expect(loaded?.['seeds']).toHaveLength(3);
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    expect(second.logs.some((l) => l['msg'] === 'join attempt finished' && Number(l['joined']) > 0)).toBe(true);
    const others = agents.filter((a) => a !== second.agent);
    // Polled: on a loaded machine a late ack can get r0 suspected once more after it is back,
    // and its refutation raises its incarnation again a moment before the others hear of it.
    const current = (): number => second.agent.protocol.selfMember.incarnation;
    expect(await waitFor(() => others.every((a) => a.member('r0')?.incarnation === current()), 10_000)).toBe(true);
    for (const other of others) expect(other.member('r0')!.incarnation).toBeGreaterThan(oldIncarnation);
  });

  it('the starting incarnation beats a remembered one ahead of the wall clock', async () => {
    const ahead = Math.floor(Date.now() / 1000) + 1_000; // e.g. after many refutations
    const snapshot: Snapshot = {
      version: 1,
      cluster: 'integration',
      name: 'r1',
      incarnation: incarnation(ahead),
      savedAt: new Date().toISOString(),
      members: [],
    };
    await writeFile(join(dir, SNAPSHOT_FILE), JSON.stringify(snapshot));
    const { agent } = rememberingAgent('r1', dir, 0);
    agents.push(agent);
    await agent.start();
    expect(agent.protocol.selfMember.incarnation).toBe(ahead + 1);
  });

  it.each([
    ['corrupt', '\u0000\u0001garbage{{{'],
    ['truncated', '{"version":1,"cluster":"integration","name":"r2","incarnation":1,"savedAt":"x","members":[{"name":"a'],
    ['of another cluster', JSON.stringify({ version: 1, cluster: 'other', name: 'r2', incarnation: 1, savedAt: 'x', members: [] })],
    ['of another node', JSON.stringify({ version: 1, cluster: 'integration', name: 'r9', incarnation: 1, savedAt: 'x', members: [] })],
  ])('a %s snapshot is logged, ignored, and replaced; the agent runs', async (kind, text) => {
    await writeFile(join(dir, SNAPSHOT_FILE), text);
    const before = Math.floor(Date.now() / 1000);
    const { agent, logs } = rememberingAgent('r2', dir, 0);
    agents.push(agent);
    await agent.start();
    const warning = logs.find((l) => l['msg'] === 'snapshot ignored: starting without it');
    expect(warning, kind).toBeDefined();
    expect(String(warning?.['reason'])).toMatch(kind.startsWith('of another') ? /foreign/ : /not valid JSON/);
    expect(agent.protocol.selfMember.incarnation).toBeGreaterThanOrEqual(before);
    expect(agent.protocol.selfMember.incarnation).toBeLessThan(before + 5);
    let replaced: Snapshot | undefined;
    expect(
      await waitFor(() => {
        void readSnapshot(dir, 'r2').then((s) => (replaced = s));
        return replaced !== undefined;
      }, 5_000),
    ).toBe(true);
  });

  it('a stopped agent writes its final state; a leave is remembered as such', async () => {
    agents = await startCluster(2);
    const { agent } = rememberingAgent('r3', dir, 0, [agents[0]!.boundAddresses.udp]);
    await agent.start();
    expect(await waitFor(() => sees(agent, 'a1', 'alive'), 10_000)).toBe(true);
    await agent.leave();
    await agent.stopped;
    const snapshot = await readSnapshot(dir, 'r3');
    expect(snapshot?.incarnation).toBe(agent.protocol.selfMember.incarnation);
    expect(snapshot?.members.map((m) => m.name).sort()).toEqual(['a0', 'a1']);
  });
});
