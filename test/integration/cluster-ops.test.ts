import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import type { UserEventEvent } from '../../src/agent/membership-event.js';
import type { QueryProgress } from '../../src/agent/query-originator.js';
import { LIMITS } from '../../src/codec/limits.js';
import { allAlive, fastConfig, sees, waitFor } from './helpers.js';

// Four real agents over UDP on 127.0.0.1: queries (acks, answers from --on-query handlers,
// filters by node and tag, the timeout), user events, force-leave, and the HTTP validation
// of the new paths.

const agents: Agent[] = [];
const received = new Map<string, UserEventEvent[]>();

beforeAll(async () => {
  for (let i = 0; i < 4; i++) {
    const name = `q${i}`;
    const config = fastConfig(name, {
      join: i === 0 ? [] : [agents[0]!.boundAddresses.udp],
      tags: { role: i % 2 === 0 ? 'web' : 'db' },
      // q0 and q1 answer `version`; q2 has a handler that never finishes in time; q3 has none.
      onQuery:
        i < 2
          ? [{ name: 'version', command: `printf 'v-%s:' "$GOSSIPD_SELF"; cat` }]
          : i === 2
            ? [{ name: 'version', command: 'sleep 5' }]
            : [],
    });
    const agent = createAgent(config, i === 0 ? {} : { http: false });
    await agent.start();
    agents.push(agent);
    agent.events.subscribe(null, {
      onItem: (item) => {
        if (item.kind === 'event' && item.event.type === 'user-event') received.set(name, [...(received.get(name) ?? []), item.event]);
      },
      onEnd: () => undefined,
    });
  }
  expect(await waitFor(() => allAlive(agents), 20_000)).toBe(true);
}, 30_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
});

function http(path: string, body: unknown): Promise<Response> {
  return fetch(`http://${agents[0]!.boundAddresses.http}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('queries over real UDP', () => {
  it('every member acks; those with a handler answer with its stdout, as they arrive', async () => {
    const progress: QueryProgress[] = [];
    const outcome = await agents[0]!.query!({ name: 'version', payload: 'hi', nodes: [], tags: {}, timeoutMs: 1500 }, (p) => progress.push(p));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect([...outcome.value.acks].sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect([...outcome.value.responses].sort((a, b) => a.from.localeCompare(b.from))).toEqual([
      { from: 'q0', payload: 'v-q0:hi' },
      { from: 'q1', payload: 'v-q1:hi' },
    ]);
    // Progress saw each ack, and each answer after its member's ack.
    expect(progress.filter((p) => p.type === 'ack')).toHaveLength(4);
    for (const from of ['q0', 'q1']) {
      const ack = progress.findIndex((p) => p.type === 'ack' && p.from === from);
      const answer = progress.findIndex((p) => p.type === 'response' && p.from === from);
      expect(ack).toBeGreaterThanOrEqual(0);
      expect(answer).toBeGreaterThan(ack);
    }
  });

  it('asks only the members named, or whose tags match', async () => {
    const byNode = await agents[0]!.query!({ name: 'version', payload: '', nodes: ['q1', 'q3'], tags: {}, timeoutMs: 1000 });
    expect(byNode.ok && [...byNode.value.acks].sort()).toEqual(['q1', 'q3']);
    expect(byNode.ok && byNode.value.responses.map((r) => r.from)).toEqual(['q1']);
    const byTag = await agents[3]!.query!({ name: 'other', payload: '', nodes: [], tags: { role: 'db' }, timeoutMs: 1000 });
    expect(byTag.ok && [...byTag.value.acks].sort()).toEqual(['q1', 'q3']);
    expect(byTag.ok && byTag.value.responses).toEqual([]);
  });

  it('answers over HTTP when the timeout ends, without the answers that came too late', async () => {
    const started = Date.now();
    const response = await http('/v1/query', { name: 'version', payload: 'x', timeoutMs: 800 });
    const elapsedMs = Date.now() - started;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { acks: string[]; responses: Array<{ from: string }> };
    expect(elapsedMs).toBeGreaterThanOrEqual(750);
    expect(body.acks.sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
    // q2's handler sleeps 5 s: it is killed at the query's timeout and never answers.
    expect(body.responses.map((r) => r.from)).not.toContain('q2');
  });

  it('streams acks and answers as Server-Sent Events with ?stream=1, then done', async () => {
    const response = await http('/v1/query?stream=1', { name: 'version', nodes: ['q1'], timeoutMs: 800 });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(['ack', 'response', 'done']);
    expect(text).toContain('"payload":"v-q1:"');
  });
});

describe('user events over real UDP', () => {
  it('reach every agent once, in order, from POST /v1/user-events', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await http('/v1/user-events', { name: 'deploy', payload: `v${i}\nline two` });
      expect(response.status).toBe(200);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const allHave = (): boolean => agents.every((agent) => (received.get(agent.name) ?? []).filter((e) => e.name === 'deploy').length >= 5);
    expect(await waitFor(allHave, 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const agent of agents) {
      const mine = (received.get(agent.name) ?? []).filter((e) => e.name === 'deploy');
      expect(mine.map((e) => e.eventId)).toEqual(ids);
      expect(mine.map((e) => e.payload)).toEqual(ids.map((_, i) => `v${i}\nline two`));
      expect(mine.every((e) => e.member === 'q0')).toBe(true);
    }
  });
});

describe('HTTP validation of the new paths', () => {
  it.each([
    ['/v1/user-events', { payload: 'x' }, 'name is required'],
    ['/v1/user-events', { name: '', payload: 'x' }, 'name is empty'],
    ['/v1/user-events', { name: 'a\u0007b' }, 'name contains control character U+0007'],
    ['/v1/user-events', { name: 'n'.repeat(LIMITS.maxEventNameBytes + 1) }, `name is ${LIMITS.maxEventNameBytes + 1} UTF-8 bytes (max ${LIMITS.maxEventNameBytes})`],
    ['/v1/user-events', { name: 'big', payload: 'é'.repeat(129) }, `payload is 258 UTF-8 bytes (max ${LIMITS.maxUserEventPayloadBytes})`],
    ['/v1/user-events', { name: 'x', payload: 5 }, 'payload must be a string'],
    ['/v1/user-events', { name: 'x', coalesce: 'yes' }, 'coalesce must be true or false'],
    ['/v1/user-events', { name: 'x', extra: 1 }, 'unknown field "extra"'],
    ['/v1/user-events', '[1]', 'body must be a JSON object'],
    ['/v1/query', { name: 'v', timeoutMs: 0 }, 'timeoutMs must be an integer from 1 to 300000'],
    ['/v1/query', { name: 'v', timeoutMs: 300_001 }, 'timeoutMs must be an integer'],
    ['/v1/query', { name: 'v', nodes: 'q1' }, 'nodes must be an array'],
    ['/v1/query', { name: 'v', nodes: Array.from({ length: 17 }, (_, i) => `n${i}`) }, 'nodes has 17 entries (at most 16)'],
    ['/v1/query', { name: 'v', nodes: [''] }, 'nodes[0] is empty'],
    ['/v1/query', { name: 'v', tags: { role: 1 } }, 'tags.role must be a string'],
    ['/v1/query', { name: 'v', payload: 'p'.repeat(LIMITS.maxQueryPayloadBytes + 1) }, `payload is ${LIMITS.maxQueryPayloadBytes + 1} UTF-8 bytes`],
    ['/v1/force-leave', {}, 'name is required'],
    ['/v1/force-leave', { name: 'q1', prune: 'yes' }, 'prune must be true or false'],
  ])('POST %s %j is a 400 naming the problem', async (path, body, message) => {
    const response = await http(path, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(message);
  });

  it('refuses a query that does not fit one datagram', async () => {
    const nodes = Array.from({ length: 16 }, (_, i) => `${'n'.repeat(100)}${i}`);
    const response = await http('/v1/query', { name: 'v', payload: 'p'.repeat(256), nodes, timeoutMs: 100 });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('does not fit one datagram');
  });

  it('answers /v1/info with the agent, cluster, protocol and runtime parts', async () => {
    const response = await fetch(`http://${agents[0]!.boundAddresses.http}/v1/info`);
    const info = (await response.json()) as Record<string, Record<string, unknown>>;
    expect(info['agent']?.['name']).toBe('q0');
    expect(info['cluster']?.['members']).toMatchObject({ alive: 4 });
    expect(info['protocol']?.['encrypted']).toBe(false);
    expect(typeof info['runtime']?.['rssBytes']).toBe('number');
  });
});

describe('force-leave over real UDP', () => {
  it('refuses an alive member (409) and an unknown one (404); a failed one becomes left everywhere', async () => {
    const alive = await http('/v1/force-leave', { name: 'q3' });
    expect(alive.status).toBe(409);
    expect(((await alive.json()) as { error: string }).error).toContain('not failed');
    expect((await http('/v1/force-leave', { name: 'nobody' })).status).toBe(404);
    const victim = agents[3]!;
    await victim.stop();
    const others = agents.slice(0, 3);
    expect(await waitFor(() => others.every((a) => sees(a, 'q3', 'failed')), 20_000)).toBe(true);
    const forced = await http('/v1/force-leave', { name: 'q3' });
    expect(forced.status).toBe(200);
    expect(await forced.json()).toEqual({ name: 'q3', status: 'left' });
    expect(await waitFor(() => others.every((a) => sees(a, 'q3', 'left')), 5_000)).toBe(true);
    const pruned = await http('/v1/force-leave', { name: 'q3', prune: true });
    expect(await pruned.json()).toEqual({ name: 'q3', status: 'forgotten' });
    expect(await waitFor(() => others.every((a) => a.member('q3') === undefined), 5_000)).toBe(true);
  }, 40_000);
});
