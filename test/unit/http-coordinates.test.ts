import { describe, expect, it } from 'vitest';
import type { AgentApi, CoordinateView, MemberView, SelfView } from '../../src/agent/api.js';
import type { BodyResult } from '../../src/http/body.js';
import type { Reply } from '../../src/http/reply.js';
import type { HttpRequest } from '../../src/http/route.js';
import { dispatch } from '../../src/http/routes.js';

function member(name: string): MemberView {
  return { name, addr: '10.0.0.1', port: 7946, status: 'alive', incarnation: 1, tags: {}, since: '2024-01-01T00:00:00.000Z' };
}

/** A coordinate on the x axis, at `xMs` ms, with the smallest height and no adjustment. */
function at(name: string, xMs: number): CoordinateView {
  return { name, coordinate: { vec: [xMs / 1000, 0, 0, 0, 0, 0, 0, 0], height: 10e-6, adjustment: 0, error: 0.2 } };
}

// Self "here" at 0; "far" 80 ms away; "near" 2 ms; "mid" 30 ms; "nocoord" sent none yet.
const COORDINATES: readonly CoordinateView[] = [at('here', 0), at('far', 80), at('mid', 30), at('near', 2)];
const MEMBERS = ['far', 'here', 'mid', 'near', 'nocoord', 'a-nocoord'].map(member);

function fakeApi(withCoordinates = true): AgentApi {
  const self: SelfView = { ...member('here'), healthScore: 0, config: {} as SelfView['config'] };
  const api: AgentApi = {
    members: () => [...MEMBERS],
    member: (name) => MEMBERS.find((m) => m.name === name),
    self: () => self,
    health: () => {
      throw new Error('not used');
    },
    join: () => Promise.resolve({ ok: true as const, value: { joined: 0 } }),
    leave: () => Promise.resolve(),
    keys: () => Promise.resolve({ ok: false, reason: 'encryption-off', error: 'off' }),
    setTags: () => self,
    metrics: () => '',
  };
  return withCoordinates ? { ...api, coordinates: () => [...COORDINATES] } : api;
}

function call(api: AgentApi, target: string): Promise<Reply> {
  const body: BodyResult = { ok: true, value: Buffer.alloc(0) };
  const request: HttpRequest = { method: 'GET', target, origin: undefined, authorization: undefined, readBody: () => Promise.resolve(body) };
  return Promise.resolve(dispatch(api, request, {}));
}

function json(reply: Reply): { status: number; body: unknown } {
  if (reply.kind !== 'json') throw new Error(`expected a json reply, got ${reply.kind}`);
  return { status: reply.status, body: reply.body };
}

describe('GET /v1/coordinates', () => {
  it('lists the coordinates as the agent holds them, its own first, in the documented shape', async () => {
    const { status, body } = json(await call(fakeApi(), '/v1/coordinates'));
    expect(status).toBe(200);
    expect(body).toEqual(COORDINATES);
    expect(Object.keys((body as CoordinateView[])[0] ?? {})).toEqual(['name', 'coordinate']);
    expect(Object.keys((body as CoordinateView[])[0]?.coordinate ?? {}).sort()).toEqual(['adjustment', 'error', 'height', 'vec']);
  });

  it('answers 501 from an agent without coordinates, and 400 to a query parameter', async () => {
    expect(json(await call(fakeApi(false), '/v1/coordinates')).status).toBe(501);
    expect(json(await call(fakeApi(), '/v1/coordinates?x=1'))).toMatchObject({ status: 400 });
  });
  it('answers 404 to /v1/coordinates and ?near from an agent running with --coordinates off', async () => {
    const off: AgentApi = { ...fakeApi(), coordinatesOff: true };
    expect(json(await call(off, '/v1/coordinates'))).toMatchObject({ status: 404, body: { error: expect.stringMatching(/--coordinates off/) } });
    expect(json(await call(off, '/v1/members?near=near'))).toMatchObject({ status: 404, body: { error: expect.stringMatching(/--coordinates off/) } });
    expect(json(await call(off, '/v1/members')).status).toBe(200);
  });
});

describe('GET /v1/members?near=NAME', () => {
  const names = (reply: Reply): string[] => (json(reply).body as MemberView[]).map((m) => m.name);

  it('sorts by estimated round trip from NAME, NAME first, members without a coordinate last by name', async () => {
    expect(names(await call(fakeApi(), '/v1/members?near=here'))).toEqual(['here', 'near', 'mid', 'far', 'a-nocoord', 'nocoord']);
    // From far (80 ms): mid is 50 ms away, near 78, here 80.
    expect(names(await call(fakeApi(), '/v1/members?near=far'))).toEqual(['far', 'mid', 'near', 'here', 'a-nocoord', 'nocoord']);
  });

  it('combines with the other filters', async () => {
    expect(names(await call(fakeApi(), '/v1/members?near=far&status=suspect'))).toEqual([]);
    expect(names(await call(fakeApi(), '/v1/members?near=far&status=alive'))).toHaveLength(6);
  });

  it('refuses an unknown member (404), a member without a coordinate (404), a bad or repeated name (400)', async () => {
    expect(json(await call(fakeApi(), '/v1/members?near=ghost'))).toEqual({ status: 404, body: { error: 'near: no member named "ghost"' } });
    const noCoordinate = json(await call(fakeApi(), '/v1/members?near=nocoord'));
    expect(noCoordinate.status).toBe(404);
    expect(noCoordinate.body).toEqual({ error: expect.stringMatching(/^near: no network coordinate of "nocoord" yet/) });
    expect(json(await call(fakeApi(), '/v1/members?near=')).status).toBe(400);
    expect(json(await call(fakeApi(), `/v1/members?near=${'x'.repeat(129)}`)).status).toBe(400);
    expect(json(await call(fakeApi(), '/v1/members?near=far&near=here'))).toEqual({ status: 400, body: { error: 'near: give one member name' } });
    expect(json(await call(fakeApi(false), '/v1/members?near=far')).status).toBe(501);
  });
});
