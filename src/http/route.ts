import type { AgentApi } from '../agent/api.js';
import type { BodyResult } from './body.js';
import type { ListingCache } from './listing-cache.js';
import type { Reply } from './reply.js';
import type { RouteSpec } from './router.js';

/** One request as the routes see it: no sockets, so routes can be tested without a server. */
export interface HttpRequest {
  readonly method: string;
  /** The request target as sent: encoded path plus optional query. */
  readonly target: string;
  /** The Origin header, which browsers send and command-line clients do not. */
  readonly origin: string | undefined;
  /** The Host header; undefined when the client sent none (HTTP/1.0). See host-check.ts. */
  readonly host?: string | undefined;
  /** The local address the client connected to, with which an IP-literal Host may match. */
  readonly localAddress?: string | undefined;
  /** The Authorization header, checked on routes that need the token. */
  readonly authorization: string | undefined;
  /** The Last-Event-ID header, with which an event stream resumes (GET /v1/events). */
  readonly lastEventId?: string | undefined;
  /** Aborts when the client hangs up, so a blocking query stops waiting for it. */
  readonly signal?: AbortSignal | undefined;
  readBody(): Promise<BodyResult>;
}

export interface RouteContext {
  readonly api: AgentApi;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly request: HttpRequest;
  readonly listings: ListingCache | undefined;
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
  /**
   * Needs `Authorization: Bearer <token>` when the agent has a token (always the case off
   * loopback): every request that changes something, and reading the keys. Each route says,
   * so a new route has to decide.
   */
  readonly needsToken: boolean;
  handle(context: RouteContext): Promise<Reply> | Reply;
}
