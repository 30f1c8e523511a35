import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { MembershipEvent } from '../../src/agent/membership-event.js';
import { Webhooks } from '../../src/agent/webhooks.js';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  readonly atMs: number;
}

const servers: Server[] = [];
const webhooks: Webhooks[] = [];
afterEach(async () => {
  for (const hooks of webhooks.splice(0)) hooks.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A receiver that answers each request with the next status of `statuses` (the last one repeats); null: never answers. */
async function receiver(statuses: readonly (number | null)[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text), atMs: Date.now() });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
      if (status === null || status === undefined) return;
      res.statusCode = status;
      res.end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/gossipd?token=s3cret`, received };
}

function start(urls: readonly string[], options: { backoffMs?: number; timeoutMs?: number; queueCapacity?: number } = {}): { hooks: Webhooks; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const hooks = new Webhooks({
    urls,
    logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) }),
    backoffMs: options.backoffMs ?? 50,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.queueCapacity === undefined ? {} : { queueCapacity: options.queueCapacity }),
  });
  webhooks.push(hooks);
  return { hooks, logs };
}

function event(id: number): MembershipEvent {
  return { id, time: '2026-01-02T03:04:05.000Z', type: 'member-suspect', member: 'n2', addr: '10.0.0.2:7946', status: 'suspect', previous: 'alive', incarnation: 3, by: 'n1', tags: {} };
}

describe('--webhook', () => {
  it('retries with exponential backoff until the receiver takes the event', async () => {
    const { url, received } = await receiver([503, 500, 204]);
    const { hooks, logs } = start([url], { backoffMs: 100 });
    hooks.handle(event(9));
    await hooks.idle();
    expect(received.map((r) => r.body)).toEqual([event(9), event(9), event(9)]);
    const [first, second, third] = received.map((r) => r.atMs);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(90);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(190);
    expect(received[0]?.headers).toMatchObject({ 'content-type': 'application/json', 'x-gossipd-event': 'member-suspect', 'x-gossipd-event-id': '9' });
    const retries = logs.filter((line) => line.msg === 'webhook delivery failed: will retry');
    expect(retries.map((line) => [line['attempt'], line['reason'], line['retryInMs']])).toEqual([
      [1, 'HTTP 503', 100],
      [2, 'HTTP 500', 200],
    ]);
    // The query string may hold a secret: logs show only origin and path.
    expect(retries[0]?.['url']).toBe(url.replace('?token=s3cret', ''));
    expect(logs.find((line) => line.msg === 'webhook delivered')).toMatchObject({ attempt: 3, status: 204 });
  });

  it('gives up after the last attempt with an error, and does not retry a refusal', async () => {
    const down = await receiver([502]);
    const refusing = await receiver([404]);
    const { hooks, logs } = start([down.url, refusing.url], { backoffMs: 10 });
    hooks.handle(event(1));
    await hooks.idle();
    expect(down.received).toHaveLength(4);
    expect(refusing.received).toHaveLength(1);
    expect(logs.filter((line) => line.level === 50).map((line) => line.msg).sort()).toEqual([
      'webhook delivery failed after every retry: event dropped',
      'webhook refused the event: not retried',
    ]);
  });

  it('abandons a try that gets no answer in time, and retries it', async () => {
    const { url, received } = await receiver([null, 200]);
    const { hooks, logs } = start([url], { timeoutMs: 150, backoffMs: 10 });
    hooks.handle(event(1));
    await hooks.idle();
    expect(received).toHaveLength(2);
    expect(logs.find((line) => line.msg === 'webhook delivery failed: will retry')?.['reason']).toBe('no answer within 150 ms');
  });

  it('sends events in order, one at a time, and drops the oldest waiting one when its queue is full', async () => {
    const { url, received } = await receiver([200]);
    const { hooks, logs } = start([url], { queueCapacity: 2 });
    for (const id of [1, 2, 3, 4]) hooks.handle(event(id));
    await hooks.idle();
    expect(received.map((r) => (r.body as MembershipEvent).id)).toEqual([3, 4]);
    expect(logs.filter((line) => line.msg === 'webhook falling behind: dropped the oldest waiting event').map((line) => line['id'])).toEqual([1, 2]);
    hooks.handle(event(5));
    hooks.handle(event(6));
    await hooks.idle();
    expect(received.map((r) => (r.body as MembershipEvent).id)).toEqual([3, 4, 5, 6]);
  });

  it('cuts off in-flight deliveries and backoff waits when closed', async () => {
    const { url } = await receiver([null]);
    const { hooks } = start([url], { timeoutMs: 60_000 });
    hooks.handle(event(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedMs = Date.now();
    hooks.close();
    await hooks.idle();
    expect(Date.now() - startedMs).toBeLessThan(1000);
  });
});
