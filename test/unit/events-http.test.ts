import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentApi, MemberView } from '../../src/agent/api.js';
import { EventLog, type EventFeed, type Subscription } from '../../src/agent/event-log.js';
import type { EventBody } from '../../src/agent/membership-event.js';
import { startHttpServer, type MembershipHttpServer } from '../../src/http/server.js';
import { waitFor } from '../integration/helpers.js';
import { SseReader } from '../sse-reader.js';

const START = 1_000;

interface Fixture {
  readonly url: string;
  readonly log: EventLog;
  readonly members: MemberView[];
  /** Subscriptions currently open on the event log. */
  open(): number;
  /** Blocking queries currently waiting on the event log. */
  waiting(): number;
  readonly server: MembershipHttpServer;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function unused(): never {
  throw new Error('not used by these tests');
}

async function start(options: { capacity?: number; heartbeatMs?: number } = {}): Promise<Fixture> {
  const log = new EventLog({ capacity: options.capacity ?? 1024, startIndex: START, wallClockMs: () => Date.now(), onListenerError: () => undefined });
  let open = 0;
  let waiting = 0;
  const feed: EventFeed = {
    index: () => log.index(),
    waitForChange: (index, timeoutMs, signal) => {
      waiting++;
      return log.waitForChange(index, timeoutMs, signal).finally(() => waiting--);
    },
    subscribe: (after, listener): Subscription => {
      open++;
      let closed = false;
      const subscription = log.subscribe(after, listener);
      return {
        close: () => {
          if (!closed) open--;
          closed = true;
          subscription.close();
        },
      };
    },
  };
  const members: MemberView[] = [];
  const api: AgentApi = {
    members: () => [...members],
    member: () => undefined,
    self: unused,
    health: unused,
    join: unused,
    leave: unused,
    keys: unused,
    setTags: unused,
    metrics: unused,
    events: feed,
  };
  const server = await startHttpServer(api, {
    host: '127.0.0.1',
    port: 0,
    ...(options.heartbeatMs === undefined ? {} : { timeouts: { eventHeartbeatMs: options.heartbeatMs } }),
  });
  cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${server.address.port}`, log, members, open: () => open, waiting: () => waiting, server };
}

async function stream(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const reader = await SseReader.open(url, headers);
  cleanups.push(() => reader.close());
  return reader;
}

function joined(member: string, tags: Record<string, string> = {}): EventBody {
  return { type: 'member-join', member, addr: '10.0.0.9:7946', status: 'alive', previous: null, incarnation: 1, by: member, tags };
}

describe('GET /v1/events (Server-Sent Events)', () => {
  it('streams each event with an increasing id, its type as the event name and its JSON as data', async () => {
    const { url, log } = await start();
    const reader = await stream(`${url}/v1/events`);
    expect(reader.response.status).toBe(200);
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader.response.headers.get('x-gossipd-index')).toBe(String(START));
    log.append(joined('a'));
    log.append({ type: 'member-failed', member: 'b', addr: '10.0.0.8:7946', status: 'failed', previous: 'suspect', incarnation: 4, by: 'a', tags: {} });
    expect(await reader.waitFor(() => reader.messages.length === 2, 5000)).toBe(true);
    expect(reader.messages.map((m) => [m.lastEventId, m.event])).toEqual([
      [String(START + 1), 'member-join'],
      [String(START + 2), 'member-failed'],
    ]);
    expect(reader.data('member-failed')[0]).toMatchObject({ id: START + 2, type: 'member-failed', member: 'b', previous: 'suspect', by: 'a' });
    expect(reader.raw.startsWith('retry: 2000\n')).toBe(true);
  });

  it('resumes after Last-Event-ID (header or ?lastEventId=), replaying only what was missed', async () => {
    const { url, log } = await start();
    for (const name of ['a', 'b', 'c']) log.append(joined(name));
    const byHeader = await stream(`${url}/v1/events`, { 'last-event-id': String(START + 1) });
    const byQuery = await stream(`${url}/v1/events?lastEventId=${START + 2}`);
    expect(await byHeader.waitFor(() => byHeader.messages.length === 2, 5000)).toBe(true);
    expect(await byQuery.waitFor(() => byQuery.messages.length === 1, 5000)).toBe(true);
    expect(byHeader.messages.map((m) => m.lastEventId)).toEqual([String(START + 2), String(START + 3)]);
    expect(byQuery.data('member-join').map((e) => e['member'])).toEqual(['c']);
    log.append(joined('d'));
    expect(await byQuery.waitFor(() => byQuery.messages.length === 2, 5000)).toBe(true);
  });

  it('says so with a gap event first when the id is older than the buffer', async () => {
    const { url, log } = await start({ capacity: 3 });
    for (let i = 0; i < 8; i++) log.append(joined(`m${i}`));
    const reader = await stream(`${url}/v1/events`, { 'last-event-id': String(START + 1) });
    expect(await reader.waitFor(() => reader.messages.length === 4, 5000)).toBe(true);
    expect(reader.messages[0]?.event).toBe('gap');
    expect(reader.data('gap')[0]).toEqual({ type: 'gap', lastEventId: START + 1, firstId: START + 6, lost: 4 });
    // The gap moves the reader's Last-Event-ID past the loss: a reconnect does not report it again.
    expect(reader.messages[0]?.lastEventId).toBe(String(START + 5));
    expect(reader.messages.slice(1).map((m) => m.lastEventId)).toEqual([START + 6, START + 7, START + 8].map(String));
  });

  it('refuses a Last-Event-ID that is not a number, naming it', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/v1/events`, { headers: { 'last-event-id': 'yesterday' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Last-Event-ID: "yesterday" is not an event id (a whole number)' });
  });

  it('sends heartbeat comments, and lets go of a client that disconnects', async () => {
    const { url, open } = await start({ heartbeatMs: 30 });
    const reader = await stream(`${url}/v1/events`);
    expect(await reader.waitFor(() => reader.raw.includes(': ping\n\n'), 5000)).toBe(true);
    expect(open()).toBe(1);
    reader.close();
    expect(await reader.waitFor(() => open() === 0, 5000)).toBe(true);
  });

  it('disconnects a client that stops reading instead of buffering for it without bound', async () => {
    const { server, log, open } = await start();
    const socket = connect(server.address.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.write('GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    const tags = { note: 'x'.repeat(400) };
    for (let i = 0; i < 40_000 && !closed && open() > 0; i++) {
      log.append(joined(`member-${i}`, tags));
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(open()).toBe(0);
    socket.resume();
    expect(await new Promise<boolean>((resolve) => (closed ? resolve(true) : socket.once('close', () => resolve(true))))).toBe(true);
  });

  it('is ended by the server closing, without waiting out the close grace period', async () => {
    const { url, server } = await start();
    const reader = await stream(`${url}/v1/events`);
    const startedMs = Date.now();
    await server.close();
    expect(Date.now() - startedMs).toBeLessThan(1000);
    expect(await reader.waitFor(() => reader.ended, 2000)).toBe(true);
  });
});

describe('GET /v1/members blocking queries', () => {
  it('carries the current index in X-Gossipd-Index', async () => {
    const { url, log } = await start();
    log.append(joined('a'));
    const response = await fetch(`${url}/v1/members`);
    expect(response.headers.get('x-gossipd-index')).toBe(String(START + 1));
  });

  it('returns as soon as membership changes after the index', async () => {
    const { url, log, members } = await start();
    const startedMs = Date.now();
    const pending = fetch(`${url}/v1/members?index=${START}&wait=30s`);
    setTimeout(() => {
      members.push({ name: 'a', addr: '10.0.0.9', port: 7946, status: 'alive', incarnation: 1, tags: {}, since: new Date().toISOString() });
      log.append(joined('a'));
    }, 100);
    const response = await pending;
    expect(Date.now() - startedMs).toBeLessThan(5000);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(90);
    expect(response.headers.get('x-gossipd-index')).toBe(String(START + 1));
    expect(((await response.json()) as MemberView[]).map((m) => m.name)).toEqual(['a']);
  });

  it('returns at the end of wait with the same index when nothing changed, and at once for another index', async () => {
    const { url } = await start();
    const startedMs = Date.now();
    const response = await fetch(`${url}/v1/members?index=${START}&wait=200ms`);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(180);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gossipd-index')).toBe(String(START));
    const quickMs = Date.now();
    const stale = await fetch(`${url}/v1/members?index=${START - 500}&wait=30s`);
    expect(Date.now() - quickMs).toBeLessThan(2000);
    expect(stale.headers.get('x-gossipd-index')).toBe(String(START));
  });

  it.each([
    ['index=abc', 'index: "abc" is not a whole number (use the X-Gossipd-Index of an earlier answer)'],
    ['index=-1', 'index: "-1" is not a whole number (use the X-Gossipd-Index of an earlier answer)'],
    ['index=5&wait=soon', 'wait: "soon" is not a duration (e.g. 30s, 500ms, 5m at most)'],
    ['index=5&wait=30', 'wait: "30" is not a duration (e.g. 30s, 500ms, 5m at most)'],
    ['wait=30s', 'wait: only with index (e.g. ?index=42&wait=30s)'],
    ['index=1&index=2', 'index: given 2 times (once at most)'],
    ['status=bogus&index=1000&wait=1m', 'status: "bogus" is not one of alive, suspect, failed, left'],
  ])('refuses ?%s with 400 naming the parameter, without waiting', async (query, error) => {
    const { url } = await start();
    const startedMs = Date.now();
    const response = await fetch(`${url}/v1/members?${query}`);
    expect(Date.now() - startedMs).toBeLessThan(2000);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error });
  });

  it('stops waiting when the server closes', async () => {
    const { url, server, waiting } = await start();
    const pending = fetch(`${url}/v1/members?index=${START}&wait=5m`).catch(() => null);
    expect(await waitFor(() => waiting() === 1, 5000)).toBe(true);
    const startedMs = Date.now();
    await server.close();
    await pending;
    expect(Date.now() - startedMs).toBeLessThan(3000);
  });
});
