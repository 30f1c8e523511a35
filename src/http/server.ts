import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AgentApi } from '../agent/api.js';
import { isLoopbackHost } from '../config/loopback.js';
import { addressKey } from '../protocol/types.js';
import { answerClientError } from './client-error.js';
import { ListingCache } from './listing-cache.js';
import { HTTP_LIMITS, type HttpTimeouts } from './limits.js';
import { handleRequest } from './requests.js';
import { replySender } from './send.js';
import { ServerShutdown } from './shutdown.js';
import { OpenStreams } from './stream.js';

export interface HttpServerOptions {
  /** Interface to listen on; the agent's default is loopback (127.0.0.1). */
  readonly host: string;
  /** TCP port; 0 lets the OS choose one (see MembershipHttpServer.address). */
  readonly port: number;
  /** Each request is logged at debug, each 500 at error. Default: no logging. */
  readonly logger?: Logger | undefined;
  /**
   * Bearer token that join, leave and keys requests must carry (see Route.needsToken).
   * Required when `host` is not a loopback address: the server refuses to start without one.
   * Default none.
   */
  readonly token?: string | null | undefined;
  /** Shorter request timeouts, for tests. Default: those of HTTP_LIMITS. */
  readonly timeouts?: Partial<HttpTimeouts> | undefined;
}

export interface MembershipHttpServer {
  /** The address actually bound, with port 0 resolved. */
  readonly address: { readonly host: string; readonly port: number };
  /**
   * Stop accepting connections, close idle keep-alive ones, let in-flight responses finish
   * (up to HTTP_LIMITS.closeGraceMs), then cut whatever is left. Idempotent.
   * A POST /v1/leave in progress is not waited for — api.leave may be what called close() —
   * but its connection is left open so its response still goes out once leave resolves.
   */
  close(): Promise<void>;
}

/**
 * Serve `api` over HTTP (DESIGN.md §3). Rejects, naming host:port, if the port cannot be bound.
 * The pieces: requests.ts serves each request, send.ts writes replies, client-error.ts answers
 * requests Node could not parse, shutdown.ts closes the server.
 */
export async function startHttpServer(api: AgentApi, options: HttpServerOptions): Promise<MembershipHttpServer> {
  const logger = options.logger;
  const token = options.token ?? null;
  if (token === null && !isLoopbackHost(options.host)) {
    // resolveConfig reports this as a config error; this guards embedders that skip it.
    throw new Error(`refusing to serve HTTP on ${addressKey(options)} without a token: it is not a loopback address`);
  }
  const timeouts: HttpTimeouts = { ...HTTP_LIMITS, ...options.timeouts };
  const server = createServer({
    requestTimeout: timeouts.requestTimeoutMs,
    headersTimeout: timeouts.headersTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: timeouts.connectionsCheckIntervalMs,
  });
  /** GET /v1/events responses: bounded, heart-beaten, and ended first when the server closes. */
  const streams = new OpenStreams(
    { maxStreams: HTTP_LIMITS.maxEventStreams, backlogBytes: HTTP_LIMITS.eventStreamBacklogBytes, heartbeatMs: timeouts.eventHeartbeatMs },
    logger,
  );
  const shutdown = new ServerShutdown(server, streams, HTTP_LIMITS.closeGraceMs);
  const send = replySender(streams, () => shutdown.isClosing());
  /** The response in progress on each socket: a client error there must answer through it. */
  const responseOn = new Map<Socket, ServerResponse>();
  const requests = { api, token, configuredHost: options.host, listings: new ListingCache(), logger, responseOn, shutdown, send };

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    answerClientError(error, socket, { timeouts, logger, responseOn, send });
  });
  server.on('request', (req, res) => handleRequest(req, res, requests));

  await listen(server, options);
  server.on('error', (error: Error) => {
    // After listening, errors come from accepting connections (EMFILE…); they must not crash the agent.
    logger?.error({ err: error }, 'http server error');
  });

  const bound = server.address() as AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    close: () => shutdown.close(),
  };
}

function listen(server: Server, options: HttpServerOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = addressKey({ host: options.host, port: options.port });
      reject(new Error(`cannot listen for HTTP on ${where}: ${error.message}`, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });
}
