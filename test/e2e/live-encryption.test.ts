import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemberView } from '../../src/agent/api.js';
import { SseReader } from '../sse-reader.js';
import { killAll, runCli, startAgentProcess, type AgentProcess } from './processes.js';

// Encryption switched on in a running cluster of real processes, with the CLI an operator uses:
// three plaintext agents → keys install → keys use → keys enforce, while every agent's event
// stream is watched for any member-suspect or member-failed (none may come: the switch must
// cost no false suspicion). Then a keyless agent is refused, a keyed one joins, one agent
// restarted from its --keyring-file comes back enforcing, and keys relax undoes enforce.
// Timing is slower than FAST_FLAGS (as in flood.test.ts): on a shared, oversubscribed machine a
// process that is simply not scheduled must not count as the switch's doing.
const TIMING = ['--probe-interval', '500ms', '--probe-timeout', '250ms', '--suspicion-mult', '5'];
const KEY = Buffer.alloc(32, 0x5a).toString('base64');

async function members(agent: AgentProcess): Promise<MemberView[]> {
  try {
    const response = await fetch(`http://${agent.http}/v1/members`);
    return response.ok ? ((await response.json()) as MemberView[]) : [];
  } catch {
    return [];
  }
}

async function aliveNames(agent: AgentProcess): Promise<string[]> {
  return (await members(agent))
    .filter((member) => member.status === 'alive')
    .map((member) => member.name)
    .sort();
}

async function poll(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

async function drops(agent: AgentProcess, reason: string): Promise<number> {
  const text = await (await fetch(`http://${agent.http}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith('gossipd_packets_dropped_total') && row.includes(`reason="${reason}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function keys(agent: AgentProcess, ...args: string[]): ReturnType<typeof runCli> {
  return runCli(['keys', ...args, '--http', agent.http]);
}

describe('gossipd keys install → use → enforce on a running plaintext cluster', () => {
  const processes: AgentProcess[] = [];
  const streams: SseReader[] = [];
  let dir = '';

  afterAll(async () => {
    for (const stream of streams) stream.close();
    killAll(processes);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('switches encryption on with no restart and no suspicion; keyless agents are refused; a restart keeps enforce', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gossipd-e2e-live-'));
    const files = ['k0', 'k1', 'k2'].map((name) => join(dir, `${name}.keyring`));
    for (const file of files) await writeFile(file, JSON.stringify({ keys: [], mode: 'plaintext' }), { mode: 0o600 });
    const seed = await startAgentProcess('k0', [...TIMING, '--keyring-file', files[0] as string]);
    processes.push(seed);
    for (const [index, name] of ['k1', 'k2'].entries()) {
      processes.push(await startAgentProcess(name, [...TIMING, '--keyring-file', files[index + 1] as string, '--join', seed.udp]));
    }
    const cluster = [...processes];
    const names = cluster.map((agent) => agent.name).sort();
    expect(await poll(async () => (await Promise.all(cluster.map(aliveNames))).every((seen) => seen.join() === names.join()), 15_000)).toBe(true);
    for (const agent of cluster) streams.push(await SseReader.open(`http://${agent.http}/v1/events`));
    const doubts = (): Record<string, unknown>[] =>
      streams.flatMap((stream) => [...stream.data('member-suspect'), ...stream.data('member-failed')]);

    const started = Date.now();
    const steps: Array<[string, string[], RegExp]> = [
      ['install', ['install', KEY], /installed on 3 of 3 members\nmodes: 3 plaintext/],
      ['use', ['use', KEY], /now the primary key of 3 of 3 members\nmodes: 3 encrypt/],
      ['enforce', ['enforce'], /refusing plaintext on 3 of 3 members\nmodes: 3 enforce/],
    ];
    const stepMs: Record<string, number> = {};
    for (const [label, args, expected] of steps) {
      const t0 = Date.now();
      const result = await keys(seed, ...args);
      stepMs[label] = Date.now() - t0;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(expected);
      // Each step reaches every member while the cluster keeps probing: no one is doubted.
      expect(await aliveNames(seed)).toEqual(names);
    }
    // Watch past the longest suspicion (2.5 s + two probe timeouts) a late one could take.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(doubts()).toEqual([]);
    for (const agent of cluster) expect(await aliveNames(agent)).toEqual(names);
    const switchMs = Date.now() - started;
    for (const file of files) expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ keys: [KEY], mode: 'enforce' });
    console.log(`live switch-on of ${cluster.length} processes: ${JSON.stringify(stepMs)} ms per step, ${switchMs} ms with the watch`);

    // A keyless agent is refused: its datagrams are dropped and counted, its join gets no answer.
    const before = await drops(seed, 'not-encrypted');
    const keyless = await startAgentProcess('plain', [...TIMING, '--join', seed.udp]);
    processes.push(keyless);
    expect(await poll(async () => (await drops(seed, 'not-encrypted')) > before, 10_000)).toBe(true);
    const refusedJoin = await runCli(['join', seed.udp, '--http', keyless.http]);
    expect(refusedJoin.code).toBe(1);
    expect(refusedJoin.stderr).toContain('an encrypted cluster (gossipd keys enforce) drops the datagrams of an agent without its key');
    expect((await members(seed)).some((member) => member.name === 'plain')).toBe(false);

    // One with the key (from its environment, as the docs say) joins.
    const keyed = await startAgentProcess('keyed', [...TIMING, '--join', seed.udp], { GOSSIPD_ENCRYPT: KEY });
    processes.push(keyed);
    const withKeyed = [...names, 'keyed'].sort();
    expect(await poll(async () => (await aliveNames(seed)).join() === withKeyed.join(), 15_000)).toBe(true);
    expect(doubts()).toEqual([]);

    // k2 restarted (a graceful leave, then the same command) comes back enforcing, from its file.
    const k2 = cluster[2] as AgentProcess;
    k2.child.kill('SIGTERM');
    await k2.exited;
    const again = await startAgentProcess('k2', [...TIMING, '--keyring-file', files[2] as string, '--join', seed.udp]);
    processes.push(again);
    expect(await poll(async () => (await aliveNames(again)).join() === withKeyed.join(), 15_000)).toBe(true);
    const listed = await keys(again, 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('modes: 4 enforce');

    // The keyless agent goes before relax: let in, it could not read the members' encrypted
    // probes, and its (rightful) failure would muddle the count of false suspicions.
    keyless.child.kill('SIGKILL');
    await keyless.exited;
    const relaxed = await keys(seed, 'relax');
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toMatch(/accepting plaintext again on 4 of 4 members\nmodes: 4 encrypt/);
    for (const file of files) expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ keys: [KEY], mode: 'encrypt' });
    // Plaintext is accepted again: a plaintext datagram to k0 is no longer dropped as such.
    const refusedBefore = await drops(seed, 'not-encrypted');
    const late = await startAgentProcess('late', [...TIMING, '--join', seed.udp]);
    processes.push(late);
    expect(await poll(async () => (await members(seed)).some((member) => member.name === 'late'), 10_000)).toBe(true);
    expect(await drops(seed, 'not-encrypted')).toBe(refusedBefore);
    late.child.kill('SIGKILL');
    expect(doubts().filter((event) => event['member'] !== 'late')).toEqual([]);
  }, 120_000);
});
