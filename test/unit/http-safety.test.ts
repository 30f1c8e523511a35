import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentApi, KeyOpOutcome } from '../../src/agent/api.js';
import { isLoopbackHost } from '../../src/config/loopback.js';
import { checkBearer } from '../../src/http/auth.js';
import { startHttpServer, type HttpServerOptions, type MembershipHttpServer } from '../../src/http/server.js';
import type { KeyOp } from '../../src/protocol/messages.js';

// The endpoint's defences: the bearer token on requests that change something (or read the
// keys), and timeouts against slow or half-open clients, with errors in JSON throughout.

const TOKEN = 'correct-horse-battery-staple';
const KEY = Buffer.alloc(32, 9).toString('base64');

interface Calls {
  joins: number;
  leaves: number;
  readonly keys: [KeyOp, string | null][];
}

function fakeApi(calls: Calls, keysOutcome?: KeyOpOutcome): AgentApi {
  const self = {
    name: 'n1',
    addr: '127.0.0.1',
    port: 7946,
    status: 'alive' as const,
    incarnation: 1,
    tags: {},
    since: '2024-01-01T00:00:00.000Z',
  };
  return {
    members: () => [self],
    member: (name) => (name === 'n1' ? self : undefined),
    self: () => ({
      ...self,
      healthScore: 0,
      config: {
        cluster: 'c',
        profile: 'lan',
        bind: '',
        advertise: '',
        http: '',
        join: [],
        probeIntervalMs: 1,
        probeTimeoutMs: 1,
        pauseToleranceMs: 3000,
        suspicionMult: 1,
        gossipIntervalMs: 1,
        maxPacketBytes: 1400,
        encrypted: true,
      },
    }),
    health: () => ({
      status: 'ok',
      name: 'n1',
      uptimeMs: 1,
      healthScore: 0,
      members: { alive: 1, suspect: 0, failed: 0, left: 0 },
      droppedPackets: 0,
    }),
    join: () => {
      calls.joins++;
      return Promise.resolve({ ok: true as const, value: { joined: 1 } });
    },
    leave: () => {
      calls.leaves++;
      return Promise.resolve();
    },
    keys: (op, key) => {
      calls.keys.push([op, key]);
      return Promise.resolve(
        keysOutcome ?? { ok: true, value: { op, ok: true, members: 1, responded: 1, keys: [], nodes: [] } },
      );
    },
    setTags: () => {
      throw new Error('not used in these tests');
    },
    metrics: () => '',
  };
}

const servers: MembershipHttpServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(
  options: Partial<HttpServerOptions> = {},
  keysOutcome?: KeyOpOutcome,
): Promise<{ url: string; port: number; calls: Calls }> {
  const calls: Calls = { joins: 0, leaves: 0, keys: [] };
  const server = await startHttpServer(fakeApi(calls, keysOutcome), { host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.address.port}`, port: server.address.port, calls };
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

async function call(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  expect(response.headers.get('content-type')).toBe('application/json');
  return { status: response.status, headers: response.headers, json: await response.json() };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('bearer token', () => {
  const guarded: [string, string, string | undefined][] = [
    ['POST', '/v1/join', '{"addrs":["10.0.0.2:7946"]}'],
    ['POST', '/v1/leave', undefined],
    ['GET', '/v1/keys', undefined],
    ['POST', '/v1/keys/install', JSON.stringify({ key: KEY })],
    ['POST', '/v1/keys/use', JSON.stringify({ key: KEY })],
    ['POST', '/v1/keys/remove', JSON.stringify({ key: KEY })],
  ];

  it.each(guarded)('%s %s answers 401 without a token, and does nothing', async (method, path, body) => {
    const { url, calls } = await start({ token: TOKEN });
    const answer = await call(`${url}${path}`, method, {}, body);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="gossipd"');
    expect(answer.json).toEqual({ error: expect.stringContaining('Authorization: Bearer <token>') });
    expect(calls).toEqual({ joins: 0, leaves: 0, keys: [] });
  });

  it.each(guarded)('%s %s answers 401 with a wrong token', async (method, path, body) => {
    const { url, calls } = await start({ token: TOKEN });
    for (const header of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, 'Bearer', `${TOKEN}`]) {
      const answer = await call(`${url}${path}`, method, { authorization: header }, body);
      expect(answer.status, header).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('invalid_token');
    }
    expect(calls).toEqual({ joins: 0, leaves: 0, keys: [] });
  });

  it.each(guarded)('%s %s goes ahead with the right token', async (method, path, body) => {
    const { url } = await start({ token: TOKEN });
    const answer = await call(`${url}${path}`, method, { ...bearer(TOKEN), 'content-type': 'application/json' }, body);
    expect(answer.status).toBe(200);
  });

  it('accepts the scheme in any case', async () => {
    const { url } = await start({ token: TOKEN });
    expect((await call(`${url}/v1/keys`, 'GET', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it.each(['/v1/members', '/v1/members/n1', '/v1/self', '/v1/health'])('GET %s needs no token', async (path) => {
    const { url } = await start({ token: TOKEN });
    expect((await call(`${url}${path}`, 'GET')).status).toBe(200);
  });

  it('asks for no token on loopback when none is configured', async () => {
    const { url, calls } = await start();
    expect((await call(`${url}/v1/join`, 'POST', {}, '{"addrs":["10.0.0.2:7946"]}')).status).toBe(200);
    expect(calls.joins).toBe(1);
  });

  it('refuses to serve a non-loopback address without a token', async () => {
    await expect(startHttpServer(fakeApi({ joins: 0, leaves: 0, keys: [] }), { host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to serve HTTP on 0\.0\.0\.0:0 without a token/,
    );
  });

  it('compares tokens by digest, whatever their lengths', () => {
    expect(checkBearer(`Bearer ${TOKEN}`, TOKEN)).toBeNull();
    expect(checkBearer(undefined, TOKEN)).toBe('missing');
    expect(checkBearer('', TOKEN)).toBe('missing');
    expect(checkBearer('Bearer a', TOKEN)).toBe('invalid');
    expect(checkBearer(`Bearer ${'x'.repeat(10_000)}`, TOKEN)).toBe('invalid');
    expect(checkBearer(`Bearer ${TOKEN} extra`, TOKEN)).toBe('invalid');
  });

  it.each([
    ['127.0.0.1', true],
    ['127.3.2.1', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['gossip.example.com', false],
  ])('treats %s as loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('key endpoints', () => {
  it('passes the key to the agent', async () => {
    const { url, calls } = await start();
    expect((await call(`${url}/v1/keys/install`, 'POST', {}, JSON.stringify({ key: KEY }))).status).toBe(200);
    expect((await call(`${url}/v1/keys`, 'GET')).status).toBe(200);
    expect(calls.keys).toEqual([
      ['install', KEY],
      ['list', null],
    ]);
  });

  it.each([
    ['{}', 'key is required'],
    ['{"key": 5}', 'key must be a string, not a number'],
    ['{"key": "k", "primary": true}', 'unknown field "primary"'],
    ['[]', 'body must be a JSON object'],
    ['{', 'body is not valid JSON'],
  ])('answers 400 to %s', async (body, message) => {
    const { url, calls } = await start();
    const answer = await call(`${url}/v1/keys/use`, 'POST', {}, body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringContaining(message) });
    expect(calls.keys).toEqual([]);
  });

  it.each([
    ['invalid-key', 400],
    ['encryption-off', 409],
    ['stopping', 409],
    ['busy', 409],
    ['not-installed', 409],
    ['primary-key', 409],
    ['keyring-full', 409],
    ['would-cut-off', 409],
  ] as const)('passes a %s refusal on as %i and its JSON error', async (reason, status) => {
    const { url } = await start({}, { ok: false, reason, error: `refused: ${reason}` });
    const answer = await call(`${url}/v1/keys/remove`, 'POST', {}, JSON.stringify({ key: KEY }));
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ error: `refused: ${reason}` });
  });

  it('answers with key ids and counts, never a key', async () => {
    const report = {
      op: 'list' as const,
      ok: true,
      members: 2,
      responded: 2,
      keys: [
        { key: KEY, id: '1111111111111111', primary: 2, installed: 2 },
        { key: null, id: '2222222222222222', primary: 0, installed: 1 },
      ],
      nodes: [
        { name: 'n1', ok: true, keyIds: ['1111111111111111'] },
        { name: 'n2', ok: true, keyIds: ['1111111111111111', '2222222222222222'] },
      ],
    };
    const { url } = await start({}, { ok: true, value: report });
    for (const [method, path, body] of [
      ['GET', '/v1/keys', undefined],
      ['POST', '/v1/keys/install', JSON.stringify({ key: KEY })],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).not.toContain(KEY.slice(0, 8));
      expect(JSON.parse(text)).toEqual({
        ...report,
        keys: [
          { id: '1111111111111111', held: true, primaryHere: true, primary: 2, installed: 2 },
          { id: '2222222222222222', held: false, primaryHere: false, primary: 0, installed: 1 },
        ],
      });
    }
  });

  it('answers 405 to other methods', async () => {
    const { url } = await start();
    const answer = await call(`${url}/v1/keys/install`, 'GET');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
  });
});

describe('slow and half-open clients', () => {
  const FAST = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, connectionsCheckIntervalMs: 50 };
  /** Generous: Node checks the timeouts every 50 ms here, and CI machines are slow. */
  const BOUND_MS = 3_000;

  function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
    return new Promise((resolve, reject) => {
      const startedMs = Date.now();
      let received = '';
      const socket = connect(port, '127.0.0.1', () => {
        const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - startedMs)));
        resolve({ socket, received: () => received, closed });
      });
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
      });
      socket.once('error', reject);
      sockets.push(socket);
    });
  }

  function jsonBody(response: string): unknown {
    return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
  }

  it('disconnects a client that sends half the headers and stalls, with a JSON 408', async () => {
    const { port } = await start({ timeouts: FAST });
    const client = await open(port);
    client.socket.write('POST /v1/join HTTP/1.1\r\nHost: localhost\r\nContent-Ty');
    const afterMs = await client.closed;
    expect(afterMs).toBeLessThan(BOUND_MS);
    expect(afterMs).toBeGreaterThanOrEqual(FAST.headersTimeoutMs - 50);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(client.received()).toContain('Content-Type: application/json');
    expect(jsonBody(client.received())).toEqual({ error: expect.stringContaining('did not arrive in time') });
  });

  it('disconnects a client that connects and sends nothing', async () => {
    const { port } = await start({ timeouts: FAST });
    const client = await open(port);
    expect(await client.closed).toBeLessThan(BOUND_MS);
  });

  it('disconnects a client that sends the headers and half the body', async () => {
    const { port, calls } = await start({ timeouts: FAST });
    const client = await open(port);
    client.socket.write('POST /v1/join HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"addrs":');
    expect(await client.closed).toBeLessThan(BOUND_MS);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(jsonBody(client.received())).toEqual({ error: expect.stringContaining('did not arrive in time') });
    expect(calls.joins).toBe(0);
  });

  it('disconnects a client that trickles headers forever', async () => {
    const { port } = await start({ timeouts: FAST });
    const client = await open(port);
    client.socket.write('GET /v1/members HTTP/1.1\r\n');
    const trickle = setInterval(() => {
      if (!client.socket.destroyed) client.socket.write('X-Slow: 1\r\n');
    }, 50);
    try {
      expect(await client.closed).toBeLessThan(BOUND_MS);
    } finally {
      clearInterval(trickle);
    }
  });

  it('answers a malformed request with a JSON 400 and closes', async () => {
    const { port } = await start({ timeouts: FAST });
    const client = await open(port);
    client.socket.write('NOT HTTP AT ALL\r\n\r\n');
    expect(await client.closed).toBeLessThan(BOUND_MS);
    expect(client.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(jsonBody(client.received())).toEqual({ error: 'malformed HTTP request' });
  });

  it('keeps serving others while a slow client is connected', async () => {
    const { port, url } = await start({ timeouts: FAST });
    const client = await open(port);
    client.socket.write('GET /v1/members HTTP/1.1\r\n');
    expect((await call(`${url}/v1/health`, 'GET')).status).toBe(200);
    await client.closed;
  });
});
