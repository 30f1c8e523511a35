import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { AgentApi } from '../agent/api.js';
import { readBody } from './body.js';
import { errorMessage } from './json.js';
import { HTTP_LIMITS } from './limits.js';
import type { ListingCache } from './listing-cache.js';
import { errorReply } from './reply.js';
import { dispatch } from './routes.js';
import { encodeReply, type Outgoing, type Send } from './send.js';
import type { ServerShutdown } from './shutdown.js';

export interface RequestContext {
  readonly api: AgentApi;
  readonly token: string | null;
  /** The host the server was configured with (`--http`); see host-check.ts. */
  readonly configuredHost: string;
  readonly listings: ListingCache;
  readonly logger: Logger | undefined;
  /** The response in progress on each socket, kept for the client-error writer. */
  readonly responseOn: Map<Socket, ServerResponse>;
  readonly shutdown: ServerShutdown;
  readonly send: Send;
}

/** Serves one request (the server's 'request'): dispatches it, sends the reply, logs it at debug once it closes. */
export function handleRequest(req: IncomingMessage, res: ServerResponse, context: RequestContext): void {
  const { logger, responseOn, shutdown } = context;
  const startedMs = performance.now();
  shutdown.responseStarted(res);
  const socket = req.socket;
  responseOn.set(socket, res);
  res.once('close', () => {
    if (responseOn.get(socket) === res) responseOn.delete(socket);
    logger?.debug(
      {
        method: req.method,
        path: req.url,
        status: res.statusCode,
        ms: Math.round((performance.now() - startedMs) * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
      },
      'http request',
    );
    shutdown.responseDone(res);
  });
  respond(req, res, context).catch((error: unknown) => {
    // respond() already turns failures into 500s; this is the last line before a crash.
    logger?.error({ err: error }, 'http response failed');
    res.destroy();
  });
}

async function respond(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void> {
  const { api, token, configuredHost, listings, logger, shutdown } = context;
  let outgoing: Outgoing;
  // Lets a long poll (GET /v1/members?index=…) stop waiting for a client that hung up, or
  // answer at once when the server closes.
  const stopWaiting = new AbortController();
  const onShutdown = (): void => stopWaiting.abort();
  shutdown.signal.addEventListener('abort', onShutdown, { once: true });
  res.once('close', () => {
    shutdown.signal.removeEventListener('abort', onShutdown);
    stopWaiting.abort();
  });
  try {
    const reply = await dispatch(
      api,
      {
        method: req.method ?? 'GET',
        target: req.url ?? '/',
        origin: req.headers.origin,
        host: req.headers.host,
        localAddress: req.socket.localAddress,
        authorization: req.headers.authorization,
        lastEventId: firstHeader(req.headers['last-event-id']),
        signal: stopWaiting.signal,
        readBody: () => readBody(req, HTTP_LIMITS),
      },
      {
        token,
        listings,
        configuredHost,
        onRoute: (route) => {
          if (route.mayCloseServer) shutdown.exempt(res);
        },
      },
    );
    outgoing = encodeReply(reply);
  } catch (error) {
    logger?.error({ err: error, method: req.method, path: req.url }, 'http handler failed');
    outgoing = encodeReply(errorReply(500, `internal error: ${errorMessage(error)}`));
  }
  context.send(res, outgoing);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
