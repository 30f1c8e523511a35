import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AGENT_LIMITS } from '../../src/agent/limits.js';
import { LogTee } from '../../src/agent/log-tee.js';
import { defaultQueryTimeoutMs, matchesQuery, QueryOriginator, type QueryOriginatorDeps } from '../../src/agent/query-originator.js';
import { fitPayload } from '../../src/agent/query-responder.js';
import { LIMITS } from '../../src/codec/limits.js';
import type { Query } from '../../src/protocol/messages.js';
import { nodeName } from '../../src/protocol/types.js';

/** Timers on a virtual clock: `advance(ms)` runs the ones that fall due, in time order. */
function fakeTimers(): { setTimer: QueryOriginatorDeps['setTimer']; advance: (ms: number) => void; fireAll: () => void } {
  const timers = new Map<number, { atMs: number; callback: () => void }>();
  let next = 0;
  let nowMs = 0;
  const advance = (ms: number): void => {
    const until = nowMs + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.atMs <= until).sort((a, b) => a[1].atMs - b[1].atMs)[0];
      if (due === undefined) break;
      timers.delete(due[0]);
      nowMs = due[1].atMs;
      due[1].callback();
    }
    nowMs = until;
  };
  return {
    setTimer: (callback, delayMs) => {
      const id = next++;
      timers.set(id, { atMs: nowMs + delayMs, callback });
      return () => timers.delete(id);
    },
    advance,
    fireAll: () => advance(1_000_000),
  };
}

function originator(sent: Query[], timers = fakeTimers()): { queries: QueryOriginator; timers: ReturnType<typeof fakeTimers> } {
  const queries = new QueryOriginator({
    name: 'me',
    replyTo: () => ({ host: '127.0.0.1', port: 1 }),
    members: () => [
      { name: 'me', addr: { host: '127.0.0.1', port: 1 }, tags: { role: 'web' } },
      { name: 'b', addr: { host: '127.0.0.1', port: 2 }, tags: { role: 'db' } },
    ],
    send: (_to, message) => sent.push(message),
    fits: () => true,
    defaultTimeoutMs: () => 1000,
    resendIntervalMs: 100,
    setTimer: timers.setTimer,
    randomUint32: (() => {
      let id = 0;
      return () => id++;
    })(),
    logger: pino({ level: 'silent' }),
  });
  return { queries, timers };
}

const request = { name: 'v', payload: '', nodes: [], tags: {}, timeoutMs: 500 } as const;

describe('query originator', () => {
  it(`runs at most ${AGENT_LIMITS.maxRunningQueries} queries at once; one more is refused as busy`, async () => {
    const sent: Query[] = [];
    const { queries, timers } = originator(sent);
    const running = Array.from({ length: AGENT_LIMITS.maxRunningQueries }, () => queries.run(request));
    expect(await queries.run(request)).toMatchObject({ ok: false, reason: 'busy' });
    timers.fireAll();
    for (const outcome of await Promise.all(running)) expect(outcome.ok).toBe(true);
  });

  it(`resends to members that have not acked, ${AGENT_LIMITS.queryAttempts} sends in all, and counts answers only from members asked`, async () => {
    const sent: Query[] = [];
    const { queries, timers } = originator(sent);
    const outcome = queries.run({ ...request, tags: { role: 'db' } });
    expect(sent.map((q) => q.id)).toEqual([0]);
    queries.onResponse({ type: 'query-response', id: 0, from: nodeName('me'), payload: 'not asked' });
    timers.advance(450);
    expect(sent).toHaveLength(AGENT_LIMITS.queryAttempts);
    timers.advance(100);
    const report = await outcome;
    expect(sent).toHaveLength(AGENT_LIMITS.queryAttempts);
    expect(report).toEqual({ ok: true, value: { asked: 1, acks: [], responses: [] } });
  });

  it('takes an answer as an ack too, and one answer per member', async () => {
    const sent: Query[] = [];
    const { queries, timers } = originator(sent);
    const progress: string[] = [];
    const outcome = queries.run(request, (p) => progress.push(`${p.type}:${p.from}`));
    queries.onResponse({ type: 'query-response', id: 0, from: nodeName('b'), payload: 'one' });
    queries.onResponse({ type: 'query-response', id: 0, from: nodeName('b'), payload: 'two' });
    queries.onAck({ type: 'query-ack', id: 0, from: nodeName('b') });
    queries.onAck({ type: 'query-ack', id: 0, from: nodeName('me') });
    timers.fireAll();
    timers.fireAll();
    expect(await outcome).toEqual({ ok: true, value: { asked: 2, acks: ['b', 'me'], responses: [{ from: 'b', payload: 'one' }] } });
    expect(progress).toEqual(['ack:b', 'response:b', 'ack:me']);
  });

  it('matches members by name and by every tag', () => {
    const member = { name: 'a', tags: { role: 'web', zone: 'x' } };
    expect(matchesQuery(member, [], {})).toBe(true);
    expect(matchesQuery(member, ['b'], {})).toBe(false);
    expect(matchesQuery(member, [], { role: 'web', zone: 'x' })).toBe(true);
    expect(matchesQuery(member, [], { role: 'web', zone: 'y' })).toBe(false);
    expect(matchesQuery(member, [], { toString: 'x' })).toBe(false);
  });

  it("defaults the timeout to Serf's: gossip interval × 16 × ceil(log10(n + 1)), at least 1 s", () => {
    expect(defaultQueryTimeoutMs(200, 50)).toBe(6400);
    expect(defaultQueryTimeoutMs(10, 3)).toBe(1000);
  });
});

describe('query answers', () => {
  it(`are cut to ${LIMITS.maxQueryResponseBytes} bytes and to what fits, on whole characters`, () => {
    expect(Buffer.byteLength(fitPayload('x'.repeat(5000), () => true))).toBe(LIMITS.maxQueryResponseBytes);
    expect(fitPayload('ééé', (p) => Buffer.byteLength(p) <= 5)).toBe('éé');
    expect(fitPayload('a\ud800b', () => true)).toBe('a\ufffdb');
  });
});

describe('log tee for gossipd monitor', () => {
  it('hands each monitor the lines at or above its level, and refuses more than its bound', () => {
    const tee = new LogTee(2);
    const infoLines: string[] = [];
    const errorLines: string[] = [];
    const a = tee.subscribe('info', (line) => infoLines.push(line));
    tee.subscribe('error', (line) => errorLines.push(line));
    expect(tee.subscribe('debug', () => undefined)).toBeNull();
    tee.write('{"level":20,"msg":"debug"}\n');
    tee.write('{"level":30,"msg":"info"}\n');
    tee.write('{"level":50,"msg":"error"}\n');
    expect(infoLines).toEqual(['{"level":30,"msg":"info"}', '{"level":50,"msg":"error"}']);
    expect(errorLines).toEqual(['{"level":50,"msg":"error"}']);
    a?.close();
    tee.write('{"level":40,"msg":"after"}\n');
    expect(infoLines).toHaveLength(2);
  });

  it('does not feed a line logged while writing to monitors back to them', () => {
    const tee = new LogTee(1);
    const lines: string[] = [];
    tee.subscribe('info', (line) => {
      lines.push(line);
      // A monitor cut off for being slow is logged: that line must not come back here.
      tee.write('{"level":40,"msg":"client too slow"}\n');
    });
    tee.write('{"level":30,"msg":"one"}\n');
    expect(lines).toEqual(['{"level":30,"msg":"one"}']);
  });
});
