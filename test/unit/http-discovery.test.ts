import { afterEach, describe, expect, it } from 'vitest';
import type { AgentApi, MemberView, SelfView } from '../../src/agent/api.js';
import type { BodyResult } from '../../src/http/body.js';
import type { Reply } from '../../src/http/reply.js';
import type { HttpRequest } from '../../src/http/route.js';
import { dispatch } from '../../src/http/routes.js';
import { sanitizeLabelName } from '../../src/http/sd.js';
import { startHttpServer, type MembershipHttpServer } from '../../src/http/server.js';
import type { Tags } from '../../src/protocol/types.js';

function member(name: string, status: MemberView['status'], tags: Tags, addr = '10.0.0.1'): MemberView {
  return { name, addr, port: 7946, status, incarnation: 1, tags, since: '2024-01-01T00:00:00.000Z' };
}

const MEMBERS: readonly MemberView[] = [
  member('web-1', 'alive', { role: 'web', metrics_port: '9100', 'zone.name': 'a', 'zone-name': 'b', url: 'http://x:80' }),
  member('db-1', 'alive', { role: 'db' }),
  member('web-2', 'failed', { role: 'web', metrics_port: '9100' }),
  member('web-3', 'alive', { role: 'web', metrics_port: 'nine' }, '10.0.0.3'),
  member('web-6', 'alive', { role: 'web', metrics_port: '9100', prom: '9200' }, 'fd00::6'),
];

function fakeApi(): AgentApi & { readonly tagCalls: Tags[] } {
  const tagCalls: Tags[] = [];
  const self: SelfView = { ...member('web-1', 'alive', {}), healthScore: 0, config: {} as SelfView['config'] };
  return {
    tagCalls,
    members: () => [...MEMBERS],
    member: () => undefined,
    self: () => self,
    health: () => {
      throw new Error('not used');
    },
    join: () => Promise.resolve({ ok: true as const, value: { joined: 0 } }),
    leave: () => Promise.resolve(),
    keys: () => Promise.resolve({ ok: false, reason: 'encryption-off', error: 'off' }),
    setTags: (tags) => {
      tagCalls.push(tags);
      return { ...self, tags };
    },
    metrics: () => 'gossipd_up 1\n',
  };
}

interface Options {
  readonly method?: string;
  readonly body?: string;
  readonly origin?: string;
  readonly authorization?: string;
  readonly token?: string;
}

function call(api: AgentApi, target: string, options: Options = {}): ReturnType<typeof dispatch> {
  const body: BodyResult = { ok: true, value: Buffer.from(options.body ?? '', 'utf8') };
  const request: HttpRequest = {
    method: options.method ?? 'GET',
    target,
    origin: options.origin,
    authorization: options.authorization,
    readBody: () => Promise.resolve(body),
  };
  return dispatch(api, request, { token: options.token ?? null });
}

/** The body of a JSON reply: every reply read here is one (no listing cache is passed). */
function bodyOf(reply: Reply): unknown {
  expect(reply.kind).toBe('json');
  return reply.kind === 'json' ? reply.body : undefined;
}

function names(body: unknown): string[] {
  return (body as MemberView[]).map((m) => m.name);
}

describe('GET /v1/members?tag=', () => {
  it('keeps members matching every tag condition (AND); key alone means present', async () => {
    const api = fakeApi();
    expect(names(bodyOf(await call(api, '/v1/members?tag=role:web')))).toEqual(['web-1', 'web-2', 'web-3', 'web-6']);
    expect(names(bodyOf(await call(api, '/v1/members?tag=role:web&tag=metrics_port:9100&status=alive')))).toEqual(['web-1', 'web-6']);
    expect(names(bodyOf(await call(api, '/v1/members?tag=prom')))).toEqual(['web-6']);
    expect(names(bodyOf(await call(api, '/v1/members?tag=url:http://x:80')))).toEqual(['web-1']);
    expect(names(bodyOf(await call(api, '/v1/members?tag=role:')))).toEqual([]);
  });

  it('refuses a condition without a key', async () => {
    const reply = await call(fakeApi(), '/v1/members?tag=:web');
    expect(reply.status).toBe(400);
    expect(bodyOf(reply)).toEqual({ error: expect.stringMatching(/^tag: ":web" has no key/) as unknown });
  });
});

describe('GET /v1/sd', () => {
  it('answers Prometheus HTTP SD target groups for alive members with a valid port tag', async () => {
    const reply = await call(fakeApi(), '/v1/sd');
    expect(reply.status).toBe(200);
    expect(bodyOf(reply)).toEqual([
      {
        targets: ['10.0.0.1:9100'],
        labels: {
          __meta_gossipd_name: 'web-1',
          __meta_gossipd_status: 'alive',
          __meta_gossipd_address: '10.0.0.1:7946',
          __meta_gossipd_tag_metrics_port: '9100',
          __meta_gossipd_tag_role: 'web',
          __meta_gossipd_tag_url: 'http://x:80',
          // "zone-name" and "zone.name" both sanitize to zone_name: the first in code-unit order wins.
          __meta_gossipd_tag_zone_name: 'b',
        },
      },
      {
        targets: ['[fd00::6]:9100'],
        labels: {
          __meta_gossipd_name: 'web-6',
          __meta_gossipd_status: 'alive',
          __meta_gossipd_address: '[fd00::6]:7946',
          __meta_gossipd_tag_metrics_port: '9100',
          __meta_gossipd_tag_prom: '9200',
          __meta_gossipd_tag_role: 'web',
        },
      },
    ]);
  });

  it('takes the port from ?port_tag= and filters with ?tag=', async () => {
    const reply = await call(fakeApi(), '/v1/sd?port_tag=prom&tag=role:web');
    expect((bodyOf(reply) as Array<{ targets: string[] }>).map((g) => g.targets)).toEqual([['[fd00::6]:9200']]);
    expect(bodyOf(await call(fakeApi(), '/v1/sd?tag=role:db'))).toEqual([]);
  });

  it('refuses an empty or repeated port_tag and unknown parameters', async () => {
    expect((await call(fakeApi(), '/v1/sd?port_tag=')).status).toBe(400);
    expect((await call(fakeApi(), '/v1/sd?port_tag=a&port_tag=b')).status).toBe(400);
    expect((await call(fakeApi(), '/v1/sd?port=9100')).status).toBe(400);
  });

  it('sanitizes tag keys to label syntax', () => {
    expect(sanitizeLabelName('a.b-c/d é')).toBe('a_b_c_d__');
  });
});

describe('PUT /v1/self/tags', () => {
  it('replaces the tag set and answers the updated own record', async () => {
    const api = fakeApi();
    const reply = await call(api, '/v1/self/tags', { method: 'PUT', body: '{"role":"web","metrics_port":"9100"}' });
    expect(reply.status).toBe(200);
    expect(api.tagCalls).toEqual([{ role: 'web', metrics_port: '9100' }]);
    expect((bodyOf(reply) as MemberView).tags).toEqual({ role: 'web', metrics_port: '9100' });
  });

  it.each([
    ['[]', /JSON object of string tags/],
    ['"x"', /JSON object of string tags/],
    ['{"n":1}', /tag "n": the value must be a string/],
    ['{"":"v"}', /tag key "" is empty/],
    [JSON.stringify({ big: 'x'.repeat(600) }), /bytes \(max/],
    ['{', /not valid JSON/],
  ])('refuses %s with a 400 naming the problem', async (body, pattern) => {
    const api = fakeApi();
    const reply = await call(api, '/v1/self/tags', { method: 'PUT', body });
    expect(reply.status).toBe(400);
    expect((bodyOf(reply) as { error: string }).error).toMatch(pattern);
    expect(api.tagCalls).toEqual([]);
  });

  it('needs the token when the agent has one, and refuses browsers', async () => {
    const api = fakeApi();
    const token = 't'.repeat(20);
    expect((await call(api, '/v1/self/tags', { method: 'PUT', body: '{}', token })).status).toBe(401);
    expect((await call(api, '/v1/self/tags', { method: 'PUT', body: '{}', origin: 'http://evil.example' })).status).toBe(403);
    expect((await call(api, '/v1/self/tags', { method: 'PUT', body: '{}', token, authorization: `Bearer ${token}` })).status).toBe(200);
    // Reading for discovery and metrics needs no token.
    expect((await call(api, '/v1/sd', { token })).status).toBe(200);
    expect((await call(api, '/metrics', { token })).status).toBe(200);
  });

  it('is PUT only', async () => {
    const reply = await call(fakeApi(), '/v1/self/tags');
    expect(reply.status).toBe(405);
    expect(reply.headers).toEqual({ Allow: 'PUT' });
  });
});

describe('GET /metrics over HTTP', () => {
  const servers: MembershipHttpServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('serves the text format with its content type, not JSON', async () => {
    const server = await startHttpServer(fakeApi(), { host: '127.0.0.1', port: 0 });
    servers.push(server);
    const response = await fetch(`http://127.0.0.1:${server.address.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('gossipd_up 1\n');
  });
});
