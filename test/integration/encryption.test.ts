import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import { createCodec, messageSize, PACKET_OVERHEAD_BYTES } from '../../src/codec/index.js';
import type { AgentConfig } from '../../src/config.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { keyId } from '../../src/crypto/keys.js';
import type { PublicKeyReport } from '../../src/http/key-report.js';
import type { MemberState, Message } from '../../src/protocol/messages.js';
import { incarnation, nodeName } from '../../src/protocol/types.js';
import { ackedProbes, allAlive, fastConfig, roundsToProbeEveryPeer, startCluster, waitFor, waitForAckedProbes } from './helpers.js';

// Encrypted clusters over real UDP on 127.0.0.1: convergence, outsiders kept out, and a key
// rotation through the HTTP endpoint while the cluster stays converged.

const K1 = Buffer.alloc(32, 0x11).toString('base64');
const K2 = Buffer.alloc(32, 0x22).toString('base64');
const K3 = Buffer.alloc(32, 0x33).toString('base64');
const CLUSTER = 'integration';
const id = (key: string): string => keyId(Buffer.from(key, 'base64'));

let agents: Agent[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  agents = [];
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, overrides: Partial<AgentConfig>, http = false): Promise<Agent> {
  const agent = createAgent(fastConfig(name, overrides), { http, monitorLoopDelay: false });
  await agent.start();
  agents.push(agent);
  return agent;
}

/** Sends one datagram to `agent` from a throwaway socket. */
async function sendRaw(agent: Agent, bytes: Uint8Array): Promise<void> {
  const [host, port] = splitHostPort(agent.boundAddresses.udp);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(bytes, port, host, (error) => (error ? reject(error) : resolve())));
  socket.close();
}

/** Every 10 ms, notes each (observer, subject) pair of `cluster` not seen alive; stop with clearInterval(watch). */
function watchViews(cluster: readonly Agent[]): { readonly views: string[]; readonly watch: NodeJS.Timeout } {
  const views: string[] = [];
  const watch = setInterval(() => {
    for (const observer of cluster) {
      for (const subject of cluster) {
        const status = observer.member(subject.name)?.status;
        if (status !== 'alive') views.push(`${observer.name} saw ${subject.name} ${status}`);
      }
    }
  }, 10);
  return { views, watch };
}

function splitHostPort(text: string): [string, number] {
  const colon = text.lastIndexOf(':');
  return [text.slice(0, colon), Number(text.slice(colon + 1))];
}

function sealWith(key: string, messages: readonly Message[], cluster = CLUSTER): Uint8Array {
  const created = Keyring.create([key], cluster);
  if (!created.ok) throw new Error(created.error);
  return created.value.seal(createCodec({ cluster }).encode(messages));
}

/** Messages that would make `observer` mark `victim` failed, if it believed them. */
function accusation(observer: Agent, victim: string): Message[] {
  const next = (observer.member(victim)?.incarnation ?? 0) + 1;
  return [{ type: 'failed', name: nodeName(victim), incarnation: incarnation(next), from: nodeName('mallory') }];
}

describe('an encrypted cluster', () => {
  it('converges with every datagram encrypted, and drops nothing', async () => {
    agents = await startCluster(3, { encrypt: K1 });
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    for (const agent of agents) {
      expect(agent.drops['decrypt-failed']).toBe(0);
      expect(agent.drops['not-encrypted']).toBe(0);
      expect(agent.self().config.encrypted).toBe(true);
    }
  });

  it('keeps out an agent with no key or a wrong key, which change nobody’s view', async () => {
    agents = await startCluster(3, { encrypt: K1 });
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const [a0, a1, a2] = agents as [Agent, Agent, Agent];
    const seed = [a0.boundAddresses.udp];
    const plain = await start('plain', { join: seed });
    const wrong = await start('wrong', { join: seed, encrypt: K2 });
    const insiders = [a0, a1, a2];
    // Forged accusations, in plaintext and under the wrong key, straight at a member.
    await sendRaw(a1, createCodec({ cluster: CLUSTER }).encode(accusation(a1, 'a2')));
    await sendRaw(a1, sealWith(K2, accusation(a1, 'a2')));
    // ...and under the right key but for another cluster: the cluster name is authenticated.
    await sendRaw(a1, sealWith(K1, accusation(a1, 'a2'), 'other'));
    expect(await waitFor(() => a1.drops['not-encrypted'] >= 1 && a1.drops['decrypt-failed'] >= 2, 5_000)).toBe(true);
    const marks = ackedProbes(insiders);
    // Both outsiders keep trying to join through a0 (each datagram a0 drops is one of their join
    // attempts): wait until a0 has refused each a second time, after the retry that follows a
    // silent join window. Meanwhile the insiders probe each other, so a view the accusations had
    // changed would have spread.
    expect(await waitFor(() => a0.drops['not-encrypted'] >= 2 && a0.drops['decrypt-failed'] >= 2, 10_000)).toBe(true);
    expect(await waitForAckedProbes(insiders, marks, roundsToProbeEveryPeer(insiders.length), 10_000)).toBe(true);
    for (const insider of insiders) {
      expect(insider.member('plain')).toBeUndefined();
      expect(insider.member('wrong')).toBeUndefined();
      expect(insider.member('mallory')).toBeUndefined();
    }
    expect(allAlive(insiders)).toBe(true);
    expect(plain.members().map((m) => m.name)).toEqual(['plain']);
    expect(wrong.members().map((m) => m.name)).toEqual(['wrong']);
    // The other way round: an encrypted datagram reaching the plaintext agent is named as such.
    await sendRaw(plain, sealWith(K1, accusation(plain, 'a2')));
    expect(await waitFor(() => plain.drops['unexpected-encryption'] === 1, 2_000)).toBe(true);
  });

  it('accepts a forged accusation only when sealed with the cluster key (the control for the test above)', async () => {
    agents = await startCluster(3, { encrypt: K1 });
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const a1 = agents[1] as Agent;
    const before = a1.member('a2')?.incarnation ?? 0;
    await sendRaw(a1, sealWith(K1, accusation(a1, 'a2')));
    // a1 believes it (and a2 refutes at once with a higher incarnation): so in the test above,
    // the drops were the key's doing.
    expect(await waitFor(() => (a1.member('a2')?.incarnation ?? 0) > before, 2_000)).toBe(true);
    expect(a1.drops['decrypt-failed']).toBe(0);
  });
});

describe('packet size with encryption', () => {
  it('fills packets up to maxPacketBytes with the 29-byte envelope reserved', async () => {
    // Tags sized so that both members' entries fit one 576-byte state packet without the
    // envelope, but not with it: an agent that forgot to reserve it would send 595 bytes.
    const tagBytes = twoEntriesStateTagBytes();
    agents = await startCluster(2, { encrypt: K1, maxPacketBytes: 576, tags: { blob: 'x'.repeat(tagBytes) } });
    expect(await waitFor(() => allAlive(agents), 10_000)).toBe(true);
    const sizes: number[] = [];
    const socket = createSocket('udp4');
    const [host, port] = splitHostPort((agents[0] as Agent).boundAddresses.udp);
    const created = Keyring.create([K1], CLUSTER);
    if (!created.ok) throw new Error(created.error);
    const keyring = created.value;
    const codec = createCodec({ cluster: CLUSTER });
    socket.on('message', (bytes) => {
      sizes.push(bytes.length);
      // The whole table goes only to an address that echoes the agent's cookie (address validation).
      const opened = keyring.open(bytes);
      const decoded = opened.ok ? codec.decode(opened.value) : null;
      const challenge = decoded?.ok === true ? decoded.value.find((m) => m.type === 'challenge') : undefined;
      if (challenge?.type === 'challenge') {
        socket.send(sealWith(K1, [{ type: 'sync', digest: 0, members: 0, join: true, nonce: challenge.nonce, cookie: challenge.cookie }]), port, host);
      }
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      socket.send(sealWith(K1, [{ type: 'sync', digest: 0, members: 0, join: true, nonce: 1 }]), port, host);
      expect(await waitFor(() => sizes.length >= 3, 5_000)).toBe(true);
    } finally {
      socket.close();
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(576);
    expect(Math.max(...sizes)).toBeGreaterThan(576 / 2);
  });
});

/** The tag size that puts a two-member `state` between the budgets with and without the envelope. */
function twoEntriesStateTagBytes(): number {
  const member = (name: string, blob: string): MemberState => ({
    name: nodeName(name),
    addr: { host: '127.0.0.1', port: 40_000 },
    incarnation: incarnation(1_764_000_000),
    status: 'alive',
    tags: { blob },
  });
  for (let bytes = 100; bytes < 400; bytes++) {
    const blob = 'x'.repeat(bytes);
    const size = messageSize({ type: 'state', full: true, members: [member('a0', blob), member('a1', blob)] });
    // The core's state budget is maxPacketBytes - packet overhead - 8 bytes of framing.
    if (size > 576 - (PACKET_OVERHEAD_BYTES + 29) - 8 && size <= 576 - PACKET_OVERHEAD_BYTES - 8) return bytes;
  }
  throw new Error('no tag size fits');
}

describe('key rotation through the HTTP endpoint', () => {
  it('install → use → remove with the cluster converged throughout; the old key is then refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipd-rotation-'));
    dirs.push(dir);
    const keyringFile = join(dir, 'keyring.json');
    writeFileSync(keyringFile, JSON.stringify({ keys: [K1] }));
    const a0 = await start('a0', { keyringFile }, true);
    const seed = [a0.boundAddresses.udp];
    const others = [await start('a1', { encrypt: K1, join: seed }), await start('a2', { encrypt: K1, join: seed })];
    const cluster = [a0, ...others];
    expect(await waitFor(() => allAlive(cluster), 10_000)).toBe(true);

    const { views, watch } = watchViews(cluster);
    const url = `http://${a0.boundAddresses.http}`;
    try {
      const listed = await keysCall(url, 'GET', '/v1/keys');
      expect(listed.status).toBe(200);
      expect(listed.report).toMatchObject({ op: 'list', ok: true, members: 3, responded: 3 });
      expect(listed.report?.keys).toEqual([{ id: id(K1), held: true, primaryHere: true, primary: 3, installed: 3 }]);

      // use before install, and remove of the primary key, are refused before anything is sent.
      expect((await keysCall(url, 'POST', '/v1/keys/use', K2)).status).toBe(409);
      expect((await keysCall(url, 'POST', '/v1/keys/remove', K1)).status).toBe(409);
      expect((await keysCall(url, 'POST', '/v1/keys/install', 'not-a-key')).status).toBe(400);

      const installed = await keysCall(url, 'POST', '/v1/keys/install', K2);
      expect(installed.report).toMatchObject({ op: 'install', ok: true, members: 3, responded: 3 });
      expect(installed.report?.keys).toEqual([
        { id: id(K1), held: true, primaryHere: true, primary: 3, installed: 3 },
        { id: id(K2), held: true, primaryHere: false, primary: 0, installed: 3 },
      ]);
      expect(JSON.parse(readFileSync(keyringFile, 'utf8'))).toEqual({ keys: [K1, K2], mode: 'enforce' });

      // use and remove by key id: the key itself need not travel again.
      const used = await keysCall(url, 'POST', '/v1/keys/use', id(K2));
      expect(used.report).toMatchObject({ op: 'use', ok: true, responded: 3 });
      expect(used.report?.keys).toEqual([
        { id: id(K2), held: true, primaryHere: true, primary: 3, installed: 3 },
        { id: id(K1), held: true, primaryHere: false, primary: 0, installed: 3 },
      ]);

      const removed = await keysCall(url, 'POST', '/v1/keys/remove', id(K1));
      expect(removed.report).toMatchObject({ op: 'remove', ok: true, responded: 3 });
      expect(removed.report?.keys).toEqual([{ id: id(K2), held: true, primaryHere: true, primary: 3, installed: 3 }]);
      for (const answer of [listed, installed, used, removed]) {
        for (const key of [K1, K2]) expect(answer.text).not.toContain(key.slice(0, 8));
      }
      expect(JSON.parse(readFileSync(keyringFile, 'utf8'))).toEqual({ keys: [K2], mode: 'enforce' });

      // Still converged after the rotation: every agent probes each peer again, and gets acks,
      // which now can only be sealed with the new key.
      expect(await waitForAckedProbes(cluster, ackedProbes(cluster), roundsToProbeEveryPeer(cluster.length), 10_000)).toBe(true);
    } finally {
      clearInterval(watch);
    }
    expect(views).toEqual([]);
    expect(allAlive(cluster)).toBe(true);

    // The old key no longer opens anything: an accusation under it is dropped and ignored,
    // and an agent that only has it cannot join.
    const a1 = others[0] as Agent;
    const before = a1.drops['decrypt-failed'];
    await sendRaw(a1, sealWith(K1, accusation(a1, 'a2')));
    expect(await waitFor(() => a1.drops['decrypt-failed'] > before, 2_000)).toBe(true);
    const refusedBefore = a0.drops['decrypt-failed'];
    const stale = await start('stale', { encrypt: K1, join: [a0.boundAddresses.udp] });
    // Its join attempts reach a0 only: wait until a0 has refused the first and the retry.
    expect(await waitFor(() => a0.drops['decrypt-failed'] >= refusedBefore + 2, 10_000)).toBe(true);
    expect(cluster.every((agent) => agent.member('stale') === undefined)).toBe(true);
    expect(stale.members().map((m) => m.name)).toEqual(['stale']);
    expect(allAlive(cluster)).toBe(true);
  });

  it('refuses to use a key some member lacks, naming it', async () => {
    const a0 = await start('a0', { encrypt: K1 }, true);
    // Installed while a0 was alone, so a1 lacks it (as after a partial install): using it
    // would cut a1 off.
    expect(await a0.keys('install', K3)).toMatchObject({ ok: true, value: { members: 1 } });
    const a1 = await start('a1', { encrypt: K1, join: [a0.boundAddresses.udp] });
    expect(await waitFor(() => allAlive([a0, a1]), 10_000)).toBe(true);
    const url = `http://${a0.boundAddresses.http}`;
    const refused = await keysCall(url, 'POST', '/v1/keys/use', K3);
    expect(refused.status).toBe(409);
    expect(refused.error).toContain('not installed on a1');
    expect(allAlive([a0, a1])).toBe(true);
  });

  it('switches a plaintext cluster to enforced encryption live: install → use → enforce → relax, no member ever not alive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipd-switch-on-'));
    dirs.push(dir);
    const keyringFile = join(dir, 'keyring.json');
    writeFileSync(keyringFile, JSON.stringify({ keys: [], mode: 'plaintext' }));
    const a0 = await start('a0', { keyringFile }, true);
    const seed = [a0.boundAddresses.udp];
    const cluster = [a0, await start('a1', { join: seed }), await start('a2', { join: seed })];
    expect(await waitFor(() => allAlive(cluster), 10_000)).toBe(true);
    const { views, watch } = watchViews(cluster);
    const url = `http://${a0.boundAddresses.http}`;
    const modes = (reply: KeysReply): string[] => (reply.report?.nodes ?? []).map((node) => `${node.name}:${node.mode ?? '-'}`);
    try {
      const listed = await keysCall(url, 'GET', '/v1/keys');
      expect(listed.status).toBe(200);
      expect(modes(listed)).toEqual(['a0:plaintext', 'a1:plaintext', 'a2:plaintext']);
      expect((await keysCall(url, 'POST', '/v1/keys/enforce')).status).toBe(409);

      const installed = await keysCall(url, 'POST', '/v1/keys/install', K1);
      expect(installed.report).toMatchObject({ ok: true, responded: 3 });
      expect(modes(installed)).toEqual(['a0:plaintext', 'a1:plaintext', 'a2:plaintext']);
      const used = await keysCall(url, 'POST', '/v1/keys/use', K1);
      expect(used.report).toMatchObject({ ok: true, responded: 3 });
      expect(modes(used)).toEqual(['a0:encrypt', 'a1:encrypt', 'a2:encrypt']);
      const enforced = await keysCall(url, 'POST', '/v1/keys/enforce');
      expect(enforced.report).toMatchObject({ ok: true, responded: 3 });
      expect(modes(enforced)).toEqual(['a0:enforce', 'a1:enforce', 'a2:enforce']);
      expect(JSON.parse(readFileSync(keyringFile, 'utf8'))).toEqual({ keys: [K1], mode: 'enforce' });
      expect(await waitForAckedProbes(cluster, ackedProbes(cluster), roundsToProbeEveryPeer(cluster.length), 10_000)).toBe(true);

      // A plaintext agent is refused: its datagrams are dropped, unopened by the core.
      const before = a0.drops['not-encrypted'];
      const outsider = await start('plain', { join: seed });
      expect(await waitFor(() => a0.drops['not-encrypted'] > before, 10_000)).toBe(true);
      expect(outsider.members().filter((member) => member.status === 'alive')).toHaveLength(1);
      expect(a0.member('plain')).toBeUndefined();
      // One with the key joins.
      const keyed = await start('keyed', { encrypt: K1, join: seed });
      expect(await waitFor(() => allAlive([...cluster, keyed]), 10_000)).toBe(true);
      cluster.push(keyed);

      const relaxed = await keysCall(url, 'POST', '/v1/keys/relax');
      expect(relaxed.report).toMatchObject({ ok: true, responded: 4 });
      expect(modes(relaxed)).toEqual(['a0:encrypt', 'a1:encrypt', 'a2:encrypt', 'keyed:encrypt']);
    } finally {
      clearInterval(watch);
    }
    expect(views).toEqual([]);
  });
});

interface KeysReply {
  readonly status: number;
  readonly report: PublicKeyReport | undefined;
  readonly error: string | undefined;
  /** The answer as sent, to check that no key is in it. */
  readonly text: string;
}

async function keysCall(url: string, method: 'GET' | 'POST', path: string, key?: string): Promise<KeysReply> {
  const init: RequestInit = { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) };
  if (key !== undefined) {
    init.body = JSON.stringify({ key });
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  const json = JSON.parse(text) as PublicKeyReport & { readonly error?: string };
  return { status: response.status, report: response.status === 200 ? json : undefined, error: json.error, text };
}
