import type { AgentApi, KeyOpOutcome, KeyOpRefusalReason, MemberView } from '../agent/api.js';
import { checkBearer } from './auth.js';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { encodeJson, errorMessage } from './json.js';
import { hostAllowed } from './host-check.js';
import { publicKeyReport } from './key-report.js';
import type { ListingCache } from './listing-cache.js';
import { HTTP_LIMITS } from './limits.js';
import { errorReply, jsonReply, textReply, type Reply } from './reply.js';
import type { HttpRequest, Route, RouteContext } from './route.js';
import { matchRoute, splitUrl } from './router.js';
import { serviceDiscoveryReply } from './sd.js';
import { matchesTags, parseTagFilter } from './tag-query.js';
import { parseTagsBody } from './tags-body.js';
import { checkQueryNames, parseJoinRequest, parseKeyRequest, parseStatusFilter } from './validate.js';
import { withIndex } from './blocking.js';
import { readParsedBody } from './json-body.js';
import { CLUSTER_ROUTES } from './cluster-routes.js';
import { BLOCKING_QUERY } from './event-params.js';
import { streamEvents } from './events-route.js';
import { getCoordinates, nearOrder } from './coordinates-route.js';
import { getUiAsset, getUiPage } from './ui-route.js';

const SELF: Route['handle'] = ({ api }) => jsonReply(200, api.self());

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/members', query: ['status', 'tag', 'near', ...BLOCKING_QUERY], mayCloseServer: false, needsToken: false, handle: withIndex(listMembers) },
  { method: 'GET', path: '/v1/members/:name', query: [], mayCloseServer: false, needsToken: false, handle: getMember },
  { method: 'GET', path: '/v1/self', query: [], mayCloseServer: false, needsToken: false, handle: SELF },
  { method: 'GET', path: '/v1/health', query: [], mayCloseServer: false, needsToken: false, handle: getHealth },
  { method: 'GET', path: '/v1/events', query: ['lastEventId'], mayCloseServer: false, needsToken: false, handle: streamEvents },
  { method: 'POST', path: '/v1/join', query: [], mayCloseServer: false, needsToken: true, handle: join },
  { method: 'POST', path: '/v1/leave', query: [], mayCloseServer: true, needsToken: true, handle: leave },
  // The answer holds key ids only (key-report.ts), but it asks every member: it needs the token
  // like the operations, so that a local reader cannot make the agent talk to the whole cluster.
  { method: 'GET', path: '/v1/keys', query: [], mayCloseServer: false, needsToken: true, handle: listKeys },
  { method: 'POST', path: '/v1/keys/install', query: [], mayCloseServer: false, needsToken: true, handle: keyOp('install') },
  { method: 'POST', path: '/v1/keys/use', query: [], mayCloseServer: false, needsToken: true, handle: keyOp('use') },
  { method: 'POST', path: '/v1/keys/remove', query: [], mayCloseServer: false, needsToken: true, handle: keyOp('remove') },
  { method: 'POST', path: '/v1/keys/enforce', query: [], mayCloseServer: false, needsToken: true, handle: modeOp('enforce') },
  { method: 'POST', path: '/v1/keys/relax', query: [], mayCloseServer: false, needsToken: true, handle: modeOp('relax') },
  { method: 'PUT', path: '/v1/self/tags', query: [], mayCloseServer: false, needsToken: true, handle: putTags },
  { method: 'GET', path: '/v1/sd', query: ['port_tag', 'tag'], mayCloseServer: false, needsToken: false, handle: getSd },
  { method: 'GET', path: '/v1/coordinates', query: [], mayCloseServer: false, needsToken: false, handle: getCoordinates },
  { method: 'GET', path: '/metrics', query: [], mayCloseServer: false, needsToken: false, handle: getMetrics },
  // The page reads only the GET endpoints above that need no token; it can change nothing.
  { method: 'GET', path: '/ui', query: [], mayCloseServer: false, needsToken: false, handle: getUiPage },
  { method: 'GET', path: '/ui/:asset', query: [], mayCloseServer: false, needsToken: false, handle: getUiAsset },
  ...CLUSTER_ROUTES,
];

export interface Dispatch {
  /** Set once routing picked a route that may close the server; see Route.mayCloseServer. */
  readonly onRoute?: (route: Route) => void;
  /** The bearer token routes with `needsToken` require; null or absent: none required. */
  readonly token?: string | null;
  /** Where encoded member listings are kept between requests; absent: built every time. */
  readonly listings?: ListingCache;
  /** The host the server was configured to listen on (`--http`), which Host may name; see host-check.ts. */
  readonly configuredHost?: string;
}

/**
 * Route one request and produce its reply. Expected failures are 4xx replies; an exception
 * (from the api or a bug here) propagates and the server answers 500.
 */
export async function dispatch(api: AgentApi, request: HttpRequest, hooks: Dispatch = {}): Promise<Reply> {
  if (!hostAllowed(request.host, hooks.configuredHost ?? '', request.localAddress)) {
    // Before routing, so that a rebound page learns nothing, not even which paths exist.
    return errorReply(403, 'the Host header names neither loopback nor this agent\'s --http host (DNS rebinding is refused)');
  }
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
  const token = hooks.token ?? null;
  if (route.needsToken && token !== null) {
    const refusal = checkBearer(request.authorization, token);
    if (refusal !== null) return unauthorized(refusal);
  }
  if (route.method !== 'GET' && request.origin !== undefined) {
    // A web page can send a "simple" cross-origin POST to loopback without any CORS preflight;
    // refusing anything a browser marks with Origin stops a page from making the agent leave.
    // PUT needs a preflight, which we never grant, but refusing it here does not depend on that.
    return errorReply(403, 'requests from web pages (with an Origin header) are refused');
  }
  const queryCheck = checkQueryNames(query, route.query);
  if (!queryCheck.ok) {
    return errorReply(400, queryCheck.error);
  }
  hooks.onRoute?.(route);
  return route.handle({ api, params, query, request, listings: hooks.listings });
}

function listMembers(context: RouteContext): Reply {
  const { api, query, listings } = context;
  const filter = parseStatusFilter(query);
  if (!filter.ok) {
    return errorReply(400, filter.error);
  }
  const statuses = filter.value;
  const tagFilter = parseTagFilter(query);
  if (!tagFilter.ok) return errorReply(400, tagFilter.error);
  const near = nearOrder(context, byName);
  if (near !== undefined && !near.ok) return near.reply;
  const list = (): MemberView[] =>
    api
      .members()
      .filter((member) => (statuses === undefined || statuses.has(member.status)) && matchesTags(member.tags, tagFilter.value))
      .sort(byName);
  // Coordinates move without the membership changing: a listing by distance is never cached.
  if (near !== undefined) return jsonReply(200, near.sort(list()));
  if (listings === undefined || api.membershipVersion === undefined) return jsonReply(200, list());
  // The filters as given are the key: two spellings of one filter merely take two entries.
  const key = `${query.getAll('status').join('\0')}\n${query.getAll('tag').join('\0')}`;
  return { kind: 'encoded-json', status: 200, bytes: listings.get(api.membershipVersion(), key, () => encodeJson(list())) };
}

/** Prometheus HTTP service discovery (see sd.ts); unauthenticated, like GET /v1/members. */
function getSd({ api, query }: RouteContext): Reply {
  return serviceDiscoveryReply(api.members(), query);
}

function getMetrics({ api }: RouteContext): Reply {
  return textReply(EXPOSITION_CONTENT_TYPE, api.metrics());
}

/** The whole new tag set replaces the old one; `gossipd tags set|delete` read, change and put it. */
async function putTags({ api, request }: RouteContext): Promise<Reply> {
  const tags = await readParsedBody(request, parseTagsBody);
  if (!tags.ok) return tags.reply;
  try {
    return jsonReply(200, api.setTags(tags.value));
  } catch (error) {
    // Only a leaving or stopped agent refuses; its tags can no longer spread.
    return errorReply(409, errorMessage(error));
  }
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
  const addrs = await readParsedBody(request, (body) => parseJoinRequest(body, HTTP_LIMITS.maxJoinAddrs));
  if (!addrs.ok) return addrs.reply;
  const outcome = await api.join(addrs.value);
  if (outcome.ok) return jsonReply(200, { joined: outcome.value.joined });
  // Addresses that give nothing to contact are the caller's mistake; an agent that is leaving
  // or stopping cannot join, whatever was sent.
  return errorReply(outcome.reason === 'bad-address' ? 400 : 409, outcome.error);
}

async function listKeys({ api }: RouteContext): Promise<Reply> {
  return keyReply(api, await api.keys('list', null));
}

/** enforce and relax name no key: any body is ignored. */
function modeOp(op: 'enforce' | 'relax'): Route['handle'] {
  return async ({ api }) => keyReply(api, await api.keys(op, null));
}

function keyOp(op: 'install' | 'use' | 'remove'): Route['handle'] {
  return async ({ api, request }) => {
    const key = await readParsedBody(request, parseKeyRequest);
    if (!key.ok) return key.reply;
    return keyReply(api, await api.keys(op, key.value));
  };
}

/**
 * 200 with the report whenever the operation ran, even if some members refused or stayed
 * silent (the report says which, and `ok` is false); 4xx when it was refused before it ran.
 */
function keyReply(api: AgentApi, outcome: KeyOpOutcome): Reply {
  if (outcome.ok) {
    // This agent's own entry lists its keys primary first.
    const selfName = api.self().name;
    // A plaintext agent sends with no key, whatever it holds.
    const selfNode = outcome.value.nodes.find((node) => node.name === selfName);
    const primaryHere = selfNode?.mode === 'plaintext' ? undefined : selfNode?.keyIds[0];
    return jsonReply(200, publicKeyReport(outcome.value, primaryHere));
  }
  // A bad key is the caller's mistake; every other refusal is the agent's or the cluster's state.
  const statuses: Readonly<Record<KeyOpRefusalReason, 400 | 409>> = {
    'invalid-key': 400,
    'encryption-off': 409,
    stopping: 409,
    busy: 409,
    'not-installed': 409,
    'no-key-in-use': 409,
    'primary-key': 409,
    'keyring-full': 409,
    'would-cut-off': 409,
  };
  return errorReply(statuses[outcome.reason], outcome.error);
}

function unauthorized(refusal: 'missing' | 'invalid'): Reply {
  const message =
    refusal === 'missing'
      ? 'this request needs "Authorization: Bearer <token>" with the agent\'s --http-token'
      : 'the bearer token does not match the agent\'s --http-token';
  const challenge = refusal === 'missing' ? 'Bearer realm="gossipd"' : 'Bearer realm="gossipd", error="invalid_token"';
  return { ...errorReply(401, message), headers: { 'WWW-Authenticate': challenge } };
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
