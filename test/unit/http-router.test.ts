import { describe, expect, it } from 'vitest';
import { matchRoute, splitUrl, type RouteSpec } from '../../src/http/router.js';
import { checkQueryNames, parseJoinRequest, parseStatusFilter } from '../../src/http/validate.js';

const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v1/members' },
  { method: 'GET', path: '/v1/members/:name' },
  { method: 'POST', path: '/v1/join' },
];

describe('matchRoute', () => {
  it.each([
    ['GET', '/v1/members', { kind: 'found', route: ROUTES[0], params: {} }],
    ['HEAD', '/v1/members', { kind: 'found', route: ROUTES[0], params: {} }],
    ['GET', '/v1/members/a%2Fb%20c', { kind: 'found', route: ROUTES[1], params: { name: 'a/b c' } }],
    ['POST', '/v1/join', { kind: 'found', route: ROUTES[2], params: {} }],
    ['POST', '/v1/members', { kind: 'method-not-allowed', allow: ['GET', 'HEAD'] }],
    ['HEAD', '/v1/join', { kind: 'method-not-allowed', allow: ['POST'] }],
    ['GET', '/v1/members/', { kind: 'not-found' }],
    ['GET', '/v1/members/a/b', { kind: 'not-found' }],
    ['GET', '/v1/join/', { kind: 'not-found' }],
    ['GET', '', { kind: 'not-found' }],
  ])('%s %s', (method, path, expected) => {
    expect(matchRoute(ROUTES, method, path)).toEqual(expected);
  });

  it('reports malformed percent-encoding', () => {
    expect(matchRoute(ROUTES, 'GET', '/v1/members/%ZZ')).toEqual({
      kind: 'bad-path',
      reason: 'path "/v1/members/%ZZ" has malformed percent-encoding',
    });
  });
});

describe('splitUrl', () => {
  it('keeps the path encoded and parses the query', () => {
    const { path, query } = splitUrl('/v1/members/a%2Fb?status=alive,left&status=failed');
    expect(path).toBe('/v1/members/a%2Fb');
    expect(query.getAll('status')).toEqual(['alive,left', 'failed']);
  });

  it('accepts a target without a query', () => {
    expect(splitUrl('/v1/self').path).toBe('/v1/self');
  });
});

describe('parseStatusFilter', () => {
  it.each([
    ['', undefined],
    ['status=alive', ['alive']],
    ['status=alive,alive', ['alive']],
    ['status=left&status=suspect, failed', ['left', 'suspect', 'failed']],
  ])('?%s', (query, expected) => {
    const parsed = parseStatusFilter(new URLSearchParams(query));
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.value !== undefined ? [...parsed.value] : undefined).toEqual(expected);
  });

  it('names the bad value and the allowed ones', () => {
    expect(parseStatusFilter(new URLSearchParams('status=alive,dead'))).toEqual({
      ok: false,
      reason: 'invalid',
      error: 'status: "dead" is not one of alive, suspect, failed, left',
    });
  });
});

describe('checkQueryNames', () => {
  it.each([
    ['', ['status'], undefined],
    ['status=x', ['status'], undefined],
    ['state=x', ['status'], 'unknown query parameter "state" (expected status)'],
    ['a=1', [], 'unknown query parameter "a" (this endpoint takes none)'],
  ])('?%s allowed %j', (query, allowed, error) => {
    const checked = checkQueryNames(new URLSearchParams(query), allowed);
    expect(checked.ok ? undefined : checked.error).toBe(error);
  });
});

describe('parseJoinRequest', () => {
  it.each<[string, unknown, string]>([
    ['a string', 'x', 'body must be a JSON object like {"addrs":["host:port"]}'],
    ['a number', 3, 'body must be a JSON object like {"addrs":["host:port"]}'],
    ['extra fields', { addrs: ['a:1'], force: true }, 'unknown field "force" (expected addrs)'],
    ['null addrs', { addrs: null }, 'addrs must be an array of "host:port" strings'],
    ['nested array', { addrs: [['a:1']] }, 'addrs[0] must be a "host:port" string, not an array'],
    ['null entry', { addrs: ['a:1', null] }, 'addrs[1] must be a "host:port" string, not null'],
    ['too many', { addrs: ['a:1', 'b:2', 'c:3'] }, 'addrs has 3 entries; at most 2 are allowed'],
  ])('rejects %s', (_label, body, error) => {
    expect(parseJoinRequest(body, 2)).toEqual({ ok: false, reason: 'invalid', error });
  });

  it('returns the addresses in order', () => {
    expect(parseJoinRequest({ addrs: ['b:2', 'a:1'] }, 2)).toEqual({ ok: true, value: ['b:2', 'a:1'] });
  });
});
