import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api.js';
import { hostAllowed, hostName } from '../../src/http/host-check.js';
import { startHttpServer, type MembershipHttpServer } from '../../src/http/server.js';

// DNS rebinding: a page whose name was rebound to 127.0.0.1 reaches the agent with its own
// name in Host. Every request whose Host names neither loopback nor the --http host is a 403.

describe('hostAllowed', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST:7947', true],
    ['localhost.:7947', true],
    ['127.0.0.1', true],
    ['127.0.0.1:7947', true],
    ['127.9.8.7:80', true],
    ['[::1]', true],
    ['[::1]:7947', true],
    ['[0:0:0:0:0:0:0:1]:7947', true],
    ['[::ffff:127.0.0.1]:7947', true],
    ['gossip.internal:7947', true],
    ['GOSSIP.internal', true],
    ['evil.example', false],
    ['evil.example:7947', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.evil.example', false],
    ['[::2]:7947', false],
    ['10.0.0.9:7947', false],
    ['', false],
    [':7947', false],
    ['[::1', false],
    ['[::1]x', false],
    ['::1', false],
    ['localhost:port', false],
    ['[evil.example]:80', false],
  ])('Host %j with --http gossip.internal: %s', (host, allowed) => {
    expect(hostAllowed(host, 'gossip.internal', '127.0.0.1')).toBe(allowed);
  });

  it('takes an IP literal equal to the address the client connected to (a wildcard bind)', () => {
    expect(hostAllowed('10.1.2.3:7947', '0.0.0.0', '10.1.2.3')).toBe(true);
    expect(hostAllowed('[fd00::5]:7947', '::', 'fd00::5')).toBe(true);
    expect(hostAllowed('10.1.2.3:7947', '0.0.0.0', '::ffff:10.1.2.3')).toBe(true);
    expect(hostAllowed('10.1.2.4:7947', '0.0.0.0', '10.1.2.3')).toBe(false);
    // A name that resolves to that address is exactly what rebinding forges.
    expect(hostAllowed('evil.example:7947', '0.0.0.0', '10.1.2.3')).toBe(false);
  });

  it('serves a request without Host (HTTP/1.0): no browser sends one', () => {
    expect(hostAllowed(undefined, '127.0.0.1', '127.0.0.1')).toBe(true);
  });

  it('reads the host part', () => {
    expect(hostName('[::1]:80')).toBe('::1');
    expect(hostName('Example.COM.')).toBe('example.com');
    expect(hostName('a:1:2')).toBeNull();
  });
});

const servers: MembershipHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function fakeApi(): AgentApi {
  const self = { name: 'n1', addr: '127.0.0.1', port: 7946, status: 'alive' as const, incarnation: 1, tags: {}, since: '2024-01-01T00:00:00.000Z' };
  return {
    members: () => [self],
    member: () => self,
    self: () => {
      throw new Error('not used');
    },
    health: () => ({ status: 'ok', name: 'n1', uptimeMs: 1, healthScore: 0, members: { alive: 1, suspect: 0, failed: 0, left: 0 }, droppedPackets: 0 }),
    join: () => Promise.resolve({ ok: true as const, value: { joined: 1 } }),
    leave: () => Promise.resolve(),
    keys: () => Promise.reject(new Error('not used')),
    setTags: () => {
      throw new Error('not used');
    },
    metrics: () => '',
  };
}

async function serve(host: string, token: string | null = null): Promise<number> {
  const server = await startHttpServer(fakeApi(), { host, port: 0, token });
  servers.push(server);
  return server.address.port;
}

/** GET path with this Host header, sent to 127.0.0.1. */
function get(port: number, path: string, host: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw request, for what http.request will not send (no Host at all). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(text);
  });
}

describe('the HTTP server and the Host header', () => {
  it.each(['/v1/members', '/v1/health', '/metrics', '/v1/keys', '/no/such/path'])('refuses GET %s with a foreign Host: 403 in JSON', async (path) => {
    const port = await serve('127.0.0.1');
    const answer = await get(port, path, `evil.example:${port}`);
    expect(answer.status).toBe(403);
    expect(answer.type).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringContaining('DNS rebinding') });
  });

  it.each(['localhost', 'localhost:PORT', '127.0.0.1:PORT', '[::1]:PORT', '[::1]'])('serves Host %s', async (host) => {
    const port = await serve('127.0.0.1');
    const answer = await get(port, '/v1/members', host.replace('PORT', String(port)));
    expect(answer.status).toBe(200);
  });

  it('serves HTTP/1.0 without Host, and refuses HTTP/1.0 with a foreign one', async () => {
    const port = await serve('127.0.0.1');
    expect(await raw(port, 'GET /v1/health HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
    expect(await raw(port, 'GET /v1/health HTTP/1.0\r\nHost: evil.example\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('on a wildcard bind, serves the address connected to and refuses a name', async () => {
    const port = await serve('0.0.0.0', 'a-long-enough-token');
    expect((await get(port, '/v1/health', `127.0.0.1:${port}`)).status).toBe(200);
    expect((await get(port, '/v1/health', `rebound.example:${port}`)).status).toBe(403);
  });
});
