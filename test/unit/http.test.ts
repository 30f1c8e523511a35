import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentApi, HealthView, JoinOutcome, KeyOpReport, MemberView, SelfView } from '../../src/agent/api.js';
import { HTTP_LIMITS } from '../../src/http/limits.js';
import { startHttpServer, type MembershipHttpServer } from '../../src/http/server.js';
import type { KeyOp } from '../../src/protocol/messages.js';

const MEMBERS: readonly MemberView[] = [
  member('web-2', 'alive'),
  member('db-1', 'suspect'),
  member('web 1/α', 'alive'),
  member('cache-1', 'failed'),
  member('batch-9', 'left'),
];

const SELF: SelfView = {
  ...member('db-1', 'alive'),
  healthScore: 0,
  config: {
    cluster: 'default',
    profile: 'lan',
    bind: '0.0.0.0:7946',
    advertise: '10.0.0.1:7946',
    http: '127.0.0.1:7947',
    join: ['10.0.0.2:7946'],
    probeIntervalMs: 1000,
    probeTimeoutMs: 500,
    pauseToleranceMs: 3000,
    suspicionMult: 4,
    gossipIntervalMs: 200,
    maxPacketBytes: 1400,
    encrypted: false,
  },
};

function member(name: string, status: MemberView['status']): MemberView {
  return { name, addr: '10.0.0.1', port: 7946, status, incarnation: 3, tags: { role: 'test' }, since: '2024-01-01T00:00:00.000Z' };
}

function keyReport(op: KeyOp): KeyOpReport {
  return {
    op,
    ok: true,
    members: 1,
    responded: 1,
    keys: [{ key: 'k'.repeat(43) + '=', id: '0123456789abcdef', primary: 1, installed: 1 }],
    nodes: [{ name: 'db-1', ok: true, keyIds: ['0123456789abcdef'] }],
  };
}

function health(status: HealthView['status']): HealthView {
  return {
    status,
    name: 'db-1',
    uptimeMs: 1234,
    healthScore: 0,
    members: { alive: 2, suspect: 1, failed: 1, left: 1 },
    droppedPackets: 0,
  };
}

interface FakeApi extends AgentApi {
  readonly joinCalls: (readonly string[])[];
  leaveCalls: number;
  readonly keyCalls: [KeyOp, string | null][];
}

function fakeApi(overrides: Partial<AgentApi> = {}): FakeApi {
  const fake: FakeApi = {
    joinCalls: [],
    leaveCalls: 0,
    keyCalls: [],
    members: () => [...MEMBERS],
    member: (name) => MEMBERS.find((m) => m.name === name),
    self: () => SELF,
    health: () => health('ok'),
    join: (addrs) => {
      fake.joinCalls.push(addrs);
      return Promise.resolve({ ok: true as const, value: { joined: addrs.length } });
    },
    leave: () => {
      fake.leaveCalls += 1;
      return Promise.resolve();
    },
    keys: (op, key) => {
      fake.keyCalls.push([op, key]);
      return Promise.resolve({ ok: true, value: keyReport(op) });
    },
    setTags: (tags) => ({ ...SELF, tags }),
    metrics: () => '# HELP gossipd_up Test.\n# TYPE gossipd_up gauge\ngossipd_up 1\n',
    ...overrides,
  };
  return fake;
}

/** An api whose join stays in flight until the test answers it: `started` resolves once it has begun. */
function joinHeldInFlight(): { api: FakeApi; started: Promise<void>; answer: (outcome: JoinOutcome) => void } {
  let answerJoin: (outcome: JoinOutcome) => void = () => undefined;
  let joinStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    joinStarted = resolve;
  });
  const api = fakeApi({
    join: () =>
      new Promise((resolve) => {
        answerJoin = resolve;
        joinStarted();
      }),
  });
  return { api, started, answer: (outcome) => answerJoin(outcome) };
}

const servers: MembershipHttpServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    socket.destroy();
  }
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(api: AgentApi = fakeApi()): Promise<{ server: MembershipHttpServer; url: string }> {
  const server = await startHttpServer(api, { host: '127.0.0.1', port: 0 });
  servers.push(server);
  return { server, url: `http://127.0.0.1:${server.address.port}` };
}

interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

async function request(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === '' ? undefined : JSON.parse(text) };
}

function postJson(url: string, body: string): Promise<JsonResponse> {
  return request(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
}

function expectJson(response: JsonResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(response.text.endsWith('\n')).toBe(true);
}

/** A raw connection, for what fetch hides: keep-alive sockets and requests that lie about their size. */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Read one complete HTTP response (Content-Length framed) from a raw socket. */
function readResponse(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      const headerEnd = received.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(received);
      if (headerEnd !== -1 && length?.[1] !== undefined && received.length >= headerEnd + 4 + Number(length[1])) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function whenClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
    } else {
      socket.once('close', () => resolve());
    }
  });
}

describe('GET /v1/members', () => {
  it('lists every member sorted by name, as JSON ending in a newline', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/members`);
    expectJson(response, 200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const names = (response.json as MemberView[]).map((m) => m.name);
    expect(names).toEqual(['batch-9', 'cache-1', 'db-1', 'web 1/α', 'web-2']);
    expect((response.json as MemberView[])[0]).toEqual(member('batch-9', 'left'));
  });

  it.each([
    ['alive', ['web 1/α', 'web-2']],
    ['alive,suspect', ['db-1', 'web 1/α', 'web-2']],
    ['failed&status=left', ['batch-9', 'cache-1']],
    ['suspect,%20left', ['batch-9', 'db-1']],
  ])('filters by ?status=%s', async (filter, expected) => {
    const { url } = await start();
    const response = await request(`${url}/v1/members?status=${filter}`);
    expectJson(response, 200);
    expect((response.json as MemberView[]).map((m) => m.name)).toEqual(expected);
  });

  it.each([
    ['status=bogus', 'status: "bogus" is not one of alive, suspect, failed, left'],
    ['status=alive,', 'status: "" is not one of alive, suspect, failed, left'],
    ['status=Alive', 'status: "Alive" is not one of alive, suspect, failed, left'],
    ['state=alive', 'unknown query parameter "state" (expected status, tag, near, index, wait)'],
  ])('rejects ?%s with 400', async (query, error) => {
    const { url } = await start();
    const response = await request(`${url}/v1/members?${query}`);
    expectJson(response, 400);
    expect(response.json).toEqual({ error });
  });

  it('builds each listing once per membership version, and anew once the version moves', async () => {
    let version = 1;
    let current: MemberView[] = [...MEMBERS];
    let builds = 0;
    const api = fakeApi({
      members: () => {
        builds++;
        return [...current];
      },
      membershipVersion: () => version,
    });
    const { url } = await start(api);
    const names = async (query = ''): Promise<string[]> => {
      const response = await request(`${url}/v1/members${query}`);
      expectJson(response, 200);
      return (response.json as MemberView[]).map((m) => m.name);
    };
    expect(await names()).toEqual(['batch-9', 'cache-1', 'db-1', 'web 1/α', 'web-2']);
    expect(await names()).toEqual(['batch-9', 'cache-1', 'db-1', 'web 1/α', 'web-2']);
    expect(builds).toBe(1);
    // A filtered listing is its own entry, not the unfiltered one.
    expect(await names('?status=alive')).toEqual(['web 1/α', 'web-2']);
    expect(await names('?status=alive')).toEqual(['web 1/α', 'web-2']);
    expect(builds).toBe(2);
    current = [...MEMBERS, member('new-1', 'alive')];
    expect(await names()).toEqual(['batch-9', 'cache-1', 'db-1', 'web 1/α', 'web-2']);
    version = 2;
    expect(await names()).toEqual(['batch-9', 'cache-1', 'db-1', 'new-1', 'web 1/α', 'web-2']);
    expect(await names('?status=alive')).toEqual(['new-1', 'web 1/α', 'web-2']);
    expect(builds).toBe(4);
  });
});

describe('GET /v1/members/{name}', () => {
  it('returns one member', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/members/db-1`);
    expectJson(response, 200);
    expect(response.json).toEqual(member('db-1', 'suspect'));
  });

  it('decodes a percent-encoded name, slash included', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/members/${encodeURIComponent('web 1/α')}`);
    expectJson(response, 200);
    expect((response.json as MemberView).name).toBe('web 1/α');
  });

  it('answers 404 for an unknown member', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/members/x`);
    expectJson(response, 404);
    expect(response.json).toEqual({ error: 'no member named "x"' });
  });

  it('answers 400 for malformed percent-encoding', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/members/%E0%A4%A`);
    expectJson(response, 400);
    expect((response.json as { error: string }).error).toMatch(/percent-encoding/);
  });

  it('treats an empty name as an unknown path', async () => {
    const { url } = await start();
    expectJson(await request(`${url}/v1/members/`), 404);
  });
});

describe('GET /v1/self and /v1/health', () => {
  it('returns the self view', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/self`);
    expectJson(response, 200);
    expect(response.json).toEqual(SELF);
  });

  it('answers 200 while running', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/health`);
    expectJson(response, 200);
    expect(response.json).toEqual(health('ok'));
  });

  it('answers 503 with the same body while leaving', async () => {
    const { url } = await start(fakeApi({ health: () => health('leaving') }));
    const response = await request(`${url}/v1/health`);
    expectJson(response, 503);
    expect(response.json).toEqual(health('leaving'));
  });

  it('serves HEAD like GET without a body', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/health`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.text).toBe('');
  });

  it('rejects query parameters an endpoint does not take', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/health?verbose=1`);
    expectJson(response, 400);
    expect(response.json).toEqual({ error: 'unknown query parameter "verbose" (this endpoint takes none)' });
  });
});

describe('POST /v1/join', () => {
  it('joins the given addresses and reports how many answered', async () => {
    const api = fakeApi();
    const { url } = await start(api);
    const response = await postJson(`${url}/v1/join`, '{"addrs":["10.0.0.2:7946","seed.example:7946"]}');
    expectJson(response, 200);
    expect(response.json).toEqual({ joined: 2 });
    expect(api.joinCalls).toEqual([['10.0.0.2:7946', 'seed.example:7946']]);
  });

  it('parses the body whatever the Content-Type (curl -d sends form encoding)', async () => {
    const { url } = await start();
    const response = await request(`${url}/v1/join`, {
      method: 'POST',
      body: '{"addrs":["10.0.0.2:7946"]}',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expectJson(response, 200);
  });

  const tooMany = JSON.stringify({ addrs: Array.from({ length: 65 }, (_, i) => `10.0.0.${i}:7946`) });
  it.each([
    ['not JSON', '{addrs:', 'body is not valid JSON'],
    ['an empty body', '', 'body is not valid JSON'],
    ['an array', '["10.0.0.2:7946"]', 'body must be a JSON object like {"addrs":["host:port"]}'],
    ['null', 'null', 'body must be a JSON object like {"addrs":["host:port"]}'],
    ['no addrs', '{}', 'addrs is required, as in {"addrs":["host:port"]}'],
    ['a misspelt field', '{"adrs":["10.0.0.2:7946"]}', 'unknown field "adrs" (expected addrs)'],
    ['addrs as a string', '{"addrs":"10.0.0.2:7946"}', 'addrs must be an array of "host:port" strings'],
    ['empty addrs', '{"addrs":[]}', 'addrs must not be empty'],
    ['a number in addrs', '{"addrs":["10.0.0.2:7946",7946]}', 'addrs[1] must be a "host:port" string, not a number'],
    ['65 addrs', tooMany, 'addrs has 65 entries; at most 64 are allowed'],
  ])('answers 400 for %s', async (_label, body, error) => {
    const api = fakeApi();
    const { url } = await start(api);
    const response = await postJson(`${url}/v1/join`, body);
    expectJson(response, 400);
    expect(response.json).toEqual({ error });
    expect(api.joinCalls).toEqual([]);
  });

  it('accepts exactly 64 addrs', async () => {
    const { url } = await start();
    const addrs = Array.from({ length: 64 }, (_, i) => `10.0.0.${i}:7946`);
    const response = await postJson(`${url}/v1/join`, JSON.stringify({ addrs }));
    expectJson(response, 200);
  });

  it('answers 400 with the agent message when the addresses give nothing to join', async () => {
    const error = 'bad address "nope": expected host:port';
    const api = fakeApi({ join: () => Promise.resolve({ ok: false as const, reason: 'bad-address' as const, error }) });
    const { url } = await start(api);
    const response = await postJson(`${url}/v1/join`, '{"addrs":["nope"]}');
    expectJson(response, 400);
    expect(response.json).toEqual({ error });
  });

  it('answers 409 when the agent cannot join in its state (leaving), however good the addresses', async () => {
    const error = 'the agent is leaving, not running: it cannot join';
    const api = fakeApi({ join: () => Promise.resolve({ ok: false as const, reason: 'not-running' as const, error }) });
    const { url } = await start(api);
    const response = await postJson(`${url}/v1/join`, '{"addrs":["10.0.0.1:7946"]}');
    expectJson(response, 409);
    expect(response.json).toEqual({ error });
  });

  it('answers 413 for a body over the limit and keeps the connection usable', async () => {
    const api = fakeApi();
    const { url } = await start(api);
    const body = JSON.stringify({ addrs: ['x'.repeat(HTTP_LIMITS.maxBodyBytes)] });
    const response = await postJson(`${url}/v1/join`, body);
    expectJson(response, 413);
    expect(response.json).toEqual({ error: `body exceeds ${HTTP_LIMITS.maxBodyBytes} bytes` });
    expect(api.joinCalls).toEqual([]);
    expectJson(await request(`${url}/v1/health`), 200);
  });

  it('answers 413 at once and closes when the declared size is far over the limit', async () => {
    const { server } = await start();
    const socket = await openSocket(server.address.port);
    const closed = whenClosed(socket);
    socket.write(
      `POST /v1/join HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${HTTP_LIMITS.maxDrainBytes + 1}\r\n\r\n`,
    );
    const raw = await readResponse(socket);
    expect(raw).toMatch(/^HTTP\/1\.1 413 /);
    expect(raw).toMatch(/\r\nconnection: close\r\n/i);
    await closed;
  });

  it('refuses requests from web pages', async () => {
    const api = fakeApi();
    const { url } = await start(api);
    const response = await request(`${url}/v1/join`, {
      method: 'POST',
      body: '{"addrs":["10.0.0.2:7946"]}',
      headers: { Origin: 'https://evil.example' },
    });
    expectJson(response, 403);
    expect(api.joinCalls).toEqual([]);
  });
});

describe('POST /v1/leave', () => {
  it('leaves and says so', async () => {
    const api = fakeApi();
    const { url } = await start(api);
    const response = await request(`${url}/v1/leave`, { method: 'POST' });
    expectJson(response, 200);
    expect(response.json).toEqual({ left: true });
    expect(api.leaveCalls).toBe(1);
  });

  it('delivers the response when leave itself closes the server', async () => {
    let server: MembershipHttpServer | undefined;
    const api = fakeApi({ leave: () => server?.close() ?? Promise.resolve() });
    ({ server } = await start(api));
    const startedMs = Date.now();
    const response = await request(`http://127.0.0.1:${server.address.port}/v1/leave`, { method: 'POST' });
    expectJson(response, 200);
    expect(response.json).toEqual({ left: true });
    // Well under the grace bound: close() did not wait for the leave request that called it.
    expect(Date.now() - startedMs).toBeLessThan(HTTP_LIMITS.closeGraceMs);
  });

  it('delivers the response when the server is closed right after leave resolves', async () => {
    let server: MembershipHttpServer | undefined;
    let closed: Promise<void> | undefined;
    const api = fakeApi({
      leave: () => {
        const left = Promise.resolve();
        // Registered before the route's own await, so close() runs before the response is written.
        void left.then(() => {
          closed = server?.close();
        });
        return left;
      },
    });
    ({ server } = await start(api));
    const response = await request(`http://127.0.0.1:${server.address.port}/v1/leave`, { method: 'POST' });
    expectJson(response, 200);
    expect(response.json).toEqual({ left: true });
    expect(closed).toBeDefined();
    await closed;
  });
});

describe('errors', () => {
  it.each([
    ['GET', '/v1/join', 'POST'],
    ['GET', '/v1/leave', 'POST'],
    ['POST', '/v1/members', 'GET, HEAD'],
    ['DELETE', '/v1/members/db-1', 'GET, HEAD'],
    ['PUT', '/v1/health', 'GET, HEAD'],
  ])('answers 405 with Allow for %s %s', async (method, path, allow) => {
    const { url } = await start();
    const response = await request(`${url}${path}`, { method });
    expectJson(response, 405);
    expect(response.headers.get('allow')).toBe(allow);
    expect((response.json as { error: string }).error).toContain(method);
  });

  it.each(['/', '/v1', '/v1/member', '/v2/members', '/v1/members/a/b'])('answers 404 for %s', async (path) => {
    const { url } = await start();
    const response = await request(`${url}${path}`);
    expectJson(response, 404);
    expect(typeof (response.json as { error: unknown }).error).toBe('string');
  });

  it('answers 500 when the api throws, and keeps serving', async () => {
    const api = fakeApi({
      self: () => {
        throw new Error('boom');
      },
      leave: () => Promise.reject(new Error('already stopped')),
    });
    const { url } = await start(api);
    const response = await request(`${url}/v1/self`);
    expectJson(response, 500);
    expect(response.json).toEqual({ error: 'internal error: boom' });
    expectJson(await request(`${url}/v1/leave`, { method: 'POST' }), 500);
    expectJson(await request(`${url}/v1/members`), 200);
  });

  it('answers 500 when the api returns something that is not JSON', async () => {
    const api = fakeApi({ self: () => ({ ...SELF, healthScore: 1n }) as unknown as SelfView });
    const { url } = await start(api);
    expectJson(await request(`${url}/v1/self`), 500);
    expectJson(await request(`${url}/v1/health`), 200);
  });
});

describe('lifecycle', () => {
  it('reports the bound port', async () => {
    const { server } = await start();
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
  });

  it('rejects with host:port in the message when the port is taken', async () => {
    const { server } = await start();
    const port = server.address.port;
    await expect(startHttpServer(fakeApi(), { host: '127.0.0.1', port })).rejects.toThrow(
      new RegExp(`cannot listen for HTTP on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
    );
  });

  it('closes promptly with an idle keep-alive connection open', async () => {
    const { server } = await start();
    const socket = await openSocket(server.address.port);
    socket.write('GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    expect(await readResponse(socket)).toMatch(/^HTTP\/1\.1 200 /);
    expect(socket.destroyed).toBe(false);
    const startedMs = Date.now();
    await server.close();
    await whenClosed(socket);
    expect(Date.now() - startedMs).toBeLessThan(1000);
  });

  it('closes promptly with a half-sent request open', async () => {
    const { server } = await start();
    const socket = await openSocket(server.address.port);
    socket.write('GET /v1/health HTTP/1.1\r\nHost: localhost\r\n');
    const startedMs = Date.now();
    await server.close();
    await whenClosed(socket);
    expect(Date.now() - startedMs).toBeLessThan(1000);
  });

  it('lets an in-flight response finish before closing', async () => {
    const { api, started, answer } = joinHeldInFlight();
    const { server, url } = await start(api);
    const pending = postJson(`${url}/v1/join`, '{"addrs":["10.0.0.2:7946"]}');
    await started;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    answer({ ok: true, value: { joined: 1 } });
    const response = await pending;
    expectJson(response, 200);
    expect(response.json).toEqual({ joined: 1 });
    expect(response.headers.get('connection')).toBe('close');
    await closing;
  });

  it('is idempotent: every call is the one shutdown, which waits for in-flight responses', async () => {
    const { api, started, answer } = joinHeldInFlight();
    const { server, url } = await start(api);
    const pending = postJson(`${url}/v1/join`, '{"addrs":["10.0.0.2:7946"]}');
    await started;
    const first = server.close();
    const second = server.close();
    expect(second).toBe(first);
    let settled = 0;
    for (const closing of [first, second]) void closing.then(() => settled++);
    await new Promise((resolve) => setImmediate(resolve));
    // The second call does not resolve early, nor start a second shutdown that would strand the first.
    expect(settled).toBe(0);
    answer({ ok: true, value: { joined: 1 } });
    const answeredMs = Date.now();
    expectJson(await pending, 200);
    await Promise.all([first, second]);
    expect(settled).toBe(2);
    // Both end with the response, neither waits out the grace a stranded shutdown would.
    expect(Date.now() - answeredMs).toBeLessThan(HTTP_LIMITS.closeGraceMs / 2);
    // Once closed, a further call is the same finished shutdown, and nothing listens any more.
    const later = server.close();
    expect(later).toBe(first);
    await later;
    await expect(openSocket(server.address.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('logs each request at debug', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const server = await startHttpServer(fakeApi(), { host: '127.0.0.1', port: 0, logger: pino({ level: 'debug' }, sink) });
    servers.push(server);
    await request(`http://127.0.0.1:${server.address.port}/v1/members/x`);
    await server.close();
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 20, method: 'GET', path: '/v1/members/x', status: 404, ms: expect.any(Number) }),
    );
  });
});
