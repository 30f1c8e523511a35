export type HttpMethod = 'GET' | 'POST' | 'PUT';

/** What the router needs of a table entry. `path` segments starting with ':' are parameters. */
export interface RouteSpec {
  readonly method: HttpMethod;
  readonly path: string;
}

export type RouteMatch<R extends RouteSpec> =
  | { readonly kind: 'found'; readonly route: R; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'bad-path'; readonly reason: string };

export interface SplitUrl {
  readonly path: string;
  readonly query: URLSearchParams;
}

/** Split a request target ("/v1/members?status=alive") into its still-encoded path and its query. */
export function splitUrl(target: string): SplitUrl {
  const queryAt = target.indexOf('?');
  if (queryAt === -1) {
    return { path: target, query: new URLSearchParams() };
  }
  return { path: target.slice(0, queryAt), query: new URLSearchParams(target.slice(queryAt + 1)) };
}

/**
 * Find the route for a method and an encoded path. Segments are split before they are
 * decoded, so a member named "a/b" is reachable as /v1/members/a%2Fb.
 * HEAD is served by the GET route (Node leaves the body out by itself).
 */
export function matchRoute<R extends RouteSpec>(
  routes: readonly R[],
  method: string,
  encodedPath: string,
): RouteMatch<R> {
  const segments = decodeSegments(encodedPath);
  if (segments === undefined) {
    return { kind: 'bad-path', reason: `path ${JSON.stringify(encodedPath)} has malformed percent-encoding` };
  }
  const wantedMethod = method === 'HEAD' ? 'GET' : method;
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (params === undefined) {
      continue;
    }
    if (route.method === wantedMethod) {
      return { kind: 'found', route, params };
    }
    allow.push(...(route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]));
  }
  return allow.length === 0 ? { kind: 'not-found' } : { kind: 'method-not-allowed', allow };
}

function decodeSegments(encodedPath: string): string[] | undefined {
  try {
    return encodedPath.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

function matchPath(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const patternSegments = pattern.split('/');
  if (patternSegments.length !== segments.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (const [index, expected] of patternSegments.entries()) {
    const actual = segments[index];
    if (actual === undefined) {
      return undefined;
    }
    if (expected.startsWith(':')) {
      // An empty parameter ("/v1/members/") is a different, unknown path, not a member named "".
      if (actual === '') {
        return undefined;
      }
      params[expected.slice(1)] = actual;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}
