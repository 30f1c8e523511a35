import type { AgentApi, MemberView } from '../agent/api.js';
import type { BodyResult } from './body.js';
import { errorMessage, errorReply, jsonReply, type Reply } from './json.js';
import { HTTP_LIMITS } from './limits.js';
import { matchRoute, splitUrl, type RouteSpec } from './router.js';
import { checkQueryNames, parseJoinRequest, parseStatusFilter } from './validate.js';

/** One request as the routes see it: no sockets, so routes can be tested without a server. */
export interface HttpRequest {
  readonly method: string;
  /** The request target as sent: encoded path plus optional query. */
  readonly target: string;
  /** The Origin header, which browsers send and command-line clients do not. */
  readonly origin: string | undefined;
  readBody(): Promise<BodyResult>;
}

interface RouteContext {
  readonly api: AgentApi;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly request: HttpRequest;
}

export interface Route extends RouteSpec {
  /** Query parameters this route understands; any other is a 400. */
  readonly query: readonly string[];
  /**
   * The handler waits on something that may itself close this server (api.leave stops the
   * agent). close() must not wait for such a request, or the two wait on each other until the
   * grace bound cuts the response off.
   */
  readonly mayCloseServer: boolean;
  handle(context: RouteContext): Promise<Reply> | Reply;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/members', query: ['status'], mayCloseServer: false, handle: listMembers },
  { method: 'GET', path: '/v1/members/:name', query: [], mayCloseServer: false, handle: getMember },
  { method: 'GET', path: '/v1/self', query: [], mayCloseServer: false, handle: ({ api }) => jsonReply(200, api.self()) },
  { method: 'GET', path: '/v1/health', query: [], mayCloseServer: false, handle: getHealth },
  { method: 'POST', path: '/v1/join', query: [], mayCloseServer: false, handle: join },
  { method: 'POST', path: '/v1/leave', query: [], mayCloseServer: true, handle: leave },
];

export interface Dispatch {
  /** Set once routing picked a route that may close the server; see Route.mayCloseServer. */
  readonly onRoute?: (route: Route) => void;
}

/**
 * Route one request and produce its reply. Expected failures are 4xx replies; an exception
 * (from the api or a bug here) propagates and the server answers 500.
 */
export async function dispatch(api: AgentApi, request: HttpRequest, hooks: Dispatch = {}): Promise<Reply> {
  const { path, query } = splitUrl(request.target);
  const match = matchRoute(ROUTES, request.method, path);
  switch (match.kind) {
    case 'bad-path':
      return errorReply(400, match.reason);
    case 'not-found':
      return errorReply(404, `no endpoint at ${JSON.stringify(path)}`);
    case 'method-not-allowed':
      return {
        ...errorReply(405, `${request.method} is not allowed on ${path} (allowed: ${match.allow.join(', ')})`),
        headers: { Allow: match.allow.join(', ') },
      };
    case 'found':
      break;
    default:
      return assertNever(match);
  }
  const { route, params } = match;
  if (route.method === 'POST' && request.origin !== undefined) {
    // A web page can send a "simple" cross-origin POST to loopback without any CORS preflight;
    // refusing anything a browser marks with Origin stops a page from making the agent leave.
    return errorReply(403, 'requests from web pages (with an Origin header) are refused');
  }
  const queryCheck = checkQueryNames(query, route.query);
  if (!queryCheck.ok) {
    return errorReply(400, queryCheck.error);
  }
  hooks.onRoute?.(route);
  return route.handle({ api, params, query, request });
}

function listMembers({ api, query }: RouteContext): Reply {
  const filter = parseStatusFilter(query);
  if (!filter.ok) {
    return errorReply(400, filter.error);
  }
  const statuses = filter.value;
  const members = api.members().filter((member) => statuses === undefined || statuses.has(member.status));
  return jsonReply(200, members.sort(byName));
}

function getMember({ api, params }: RouteContext): Reply {
  const name = params['name'] ?? '';
  const member = api.member(name);
  return member === undefined ? errorReply(404, `no member named ${JSON.stringify(name)}`) : jsonReply(200, member);
}

function getHealth({ api }: RouteContext): Reply {
  const health = api.health();
  // 503 while leaving, so load balancers and health checks stop sending work here.
  return jsonReply(health.status === 'ok' ? 200 : 503, health);
}

async function join({ api, request }: RouteContext): Promise<Reply> {
  const body = await request.readBody();
  if (!body.ok) {
    return { ...errorReply(body.status, body.error), closeConnection: body.closeConnection };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return errorReply(400, 'body is not valid JSON');
  }
  const addrs = parseJoinRequest(parsed, HTTP_LIMITS.maxJoinAddrs);
  if (!addrs.ok) {
    return errorReply(400, addrs.error);
  }
  try {
    const result = await api.join(addrs.value);
    return jsonReply(200, { joined: result.joined });
  } catch (error) {
    // The agent rejects join for what the caller sent: a malformed or unresolvable address.
    return errorReply(400, errorMessage(error));
  }
}

async function leave({ api }: RouteContext): Promise<Reply> {
  await api.leave();
  return jsonReply(200, { left: true });
}

/** Code-unit order, not locale order: the same bytes on every machine, as scripts expect. */
function byName(a: MemberView, b: MemberView): number {
  if (a.name === b.name) {
    return 0;
  }
  return a.name < b.name ? -1 : 1;
}

function assertNever(value: never): never {
  throw new Error(`unexpected route match ${JSON.stringify(value)}`);
}
