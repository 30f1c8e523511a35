import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { AgentApi } from '../agent/api.js';
import { isLoopbackHost } from '../config/loopback.js';
import { addressKey } from '../protocol/types.js';
import { readBody } from './body.js';
import { encodeJson, errorMessage, JSON_CONTENT_TYPE } from './json.js';
import { ListingCache } from './listing-cache.js';
import { HTTP_LIMITS, type HttpTimeouts } from './limits.js';
import { errorReply, type Reply, type ReplyHeaders, type StreamReply } from './reply.js';
import { dispatch } from './routes.js';
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

/** Serve `api` over HTTP (DESIGN.md §3). Rejects, naming host:port, if the port cannot be bound. */
export async function startHttpServer(api: AgentApi, options: HttpServerOptions): Promise<MembershipHttpServer> {
  const logger = options.logger;
  const token = options.token ?? null;
  if (token === null && !isLoopbackHost(options.host)) {
    // resolveConfig reports this as a config error; this guards embedders that skip it.
    throw new Error(`refusing to serve HTTP on ${addressKey(options)} without a token: it is not a loopback address`);
  }
  const timeouts: HttpTimeouts = { ...HTTP_LIMITS, ...options.timeouts };
  const listings = new ListingCache();
  const server = createServer({
    requestTimeout: timeouts.requestTimeoutMs,
    headersTimeout: timeouts.headersTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: timeouts.connectionsCheckIntervalMs,
  });

  const sockets = new Set<Socket>();
  const inFlight = new Set<ServerResponse>();
  /** In-flight responses close() does not wait for (see Route.mayCloseServer). */
  const unawaited = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  let onResponseDone: (() => void) | undefined;
  /** GET /v1/events responses: bounded, heart-beaten, and ended first when the server closes. */
  /** Aborted when close() starts: pending long polls answer at once. */
  const shuttingDown = new AbortController();
  const streams = new OpenStreams(
    { maxStreams: HTTP_LIMITS.maxEventStreams, backlogBytes: HTTP_LIMITS.eventStreamBacklogBytes, heartbeatMs: timeouts.eventHeartbeatMs },
    logger,
  );

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  /** The response in progress on each socket: a client error there must answer through it. */
  const responseOn = new Map<Socket, ServerResponse>();

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Node's default answer to a timeout or a malformed request is a bare status line; ours
    // stays JSON like every other error. Then the connection is closed either way.
    const status = clientErrorStatus(error.code);
    logger?.debug({ err: error.message, code: error.code, status }, 'http client error');
    const res = responseOn.get(socket);
    if (status === null || !socket.writable || (res !== undefined && (res.headersSent || res.destroyed))) {
      socket.destroy();
      return;
    }
    // Give a slow or never-arriving request a moment to read the answer, then let it go.
    setTimeout(() => socket.destroy(), HTTP_LIMITS.closeGraceMs).unref();
    const reply = { ...errorReply(status, clientErrorMessage(status, timeouts)), closeConnection: true };
    if (res !== undefined) {
      // Its body is still arriving (the route waits in readBody): answer through the response,
      // so the route's own reply, if it ever comes, finds the headers sent and is skipped.
      send(res, encodeReply(reply));
      return;
    }
    const body = encodeJson(reply.body);
    const head =
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\n` +
      `Content-Length: ${body.length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const startedMs = performance.now();
    inFlight.add(res);
    const socket = req.socket;
    responseOn.set(socket, res);
    res.once('close', () => {
      if (responseOn.get(socket) === res) responseOn.delete(socket);
      inFlight.delete(res);
      unawaited.delete(res);
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
      onResponseDone?.();
    });
    respond(req, res).catch((error: unknown) => {
      // respond() already turns failures into 500s; this is the last line before a crash.
      logger?.error({ err: error }, 'http response failed');
      res.destroy();
    });
  });

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let outgoing: Outgoing;
    // Lets a long poll (GET /v1/members?index=…) stop waiting for a client that hung up, or
    // answer at once when the server closes.
    const stopWaiting = new AbortController();
    const onShutdown = (): void => stopWaiting.abort();
    shuttingDown.signal.addEventListener('abort', onShutdown, { once: true });
    res.once('close', () => {
      shuttingDown.signal.removeEventListener('abort', onShutdown);
      stopWaiting.abort();
    });
    try {
      const reply = await dispatch(
        api,
        {
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          origin: req.headers.origin,
          authorization: req.headers.authorization,
          lastEventId: firstHeader(req.headers['last-event-id']),
          signal: stopWaiting.signal,
          readBody: () => readBody(req, HTTP_LIMITS),
        },
        {
          token,
          listings,
          onRoute: (route) => {
            // A client that already hung up has no response left to deliver.
            if (route.mayCloseServer && inFlight.has(res)) {
              unawaited.add(res);
            }
          },
        },
      );
      outgoing = encodeReply(reply);
    } catch (error) {
      logger?.error({ err: error, method: req.method, path: req.url }, 'http handler failed');
      outgoing = encodeReply(errorReply(500, `internal error: ${errorMessage(error)}`));
    }
    send(res, outgoing);
  }

  function send(res: ServerResponse, outgoing: Outgoing): void {
    if (res.headersSent || res.destroyed) {
      return;
    }
    if (outgoing.kind === 'stream') {
      const refusal = streams.start(res, outgoing);
      if (refusal !== null) send(res, encodeReply(refusal));
      return;
    }
    res.statusCode = outgoing.status;
    res.setHeader('Content-Type', outgoing.contentType);
    res.setHeader('Content-Length', outgoing.bytes.length);
    res.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(outgoing.headers)) {
      res.setHeader(name, value);
    }
    if (outgoing.closeConnection || closing !== undefined) {
      // Node ends the socket once this response is written, instead of keeping it alive.
      res.setHeader('Connection', 'close');
    }
    res.end(outgoing.bytes);
  }

  await listen(server, options);
  server.on('error', (error: Error) => {
    // After listening, errors come from accepting connections (EMFILE…); they must not crash the agent.
    logger?.error({ err: error }, 'http server error');
  });

  const bound = server.address() as AddressInfo;

  async function shutDown(): Promise<void> {
    // Event streams never finish by themselves: end them now, or close() would wait out its grace.
    streams.closeAll();
    shuttingDown.abort();
    const allClosed = new Promise<void>((resolve) => {
      server.close(() => resolve());
    });
    // Node ≥ 19 does this inside close() too; explicit so idle keep-alive sockets never hold us.
    server.closeIdleConnections();
    await waitForAwaitedResponses(HTTP_LIMITS.closeGraceMs);
    const keep = new Set<Socket>();
    for (const res of unawaited) {
      if (res.socket !== null) {
        keep.add(res.socket);
      }
    }
    for (const socket of sockets) {
      if (!keep.has(socket)) {
        socket.destroy();
      }
    }
    if (keep.size === 0) {
      await allClosed;
      return;
    }
    // A leave response still pending: give it the same grace, without holding the process open.
    setTimeout(() => {
      for (const socket of sockets) {
        socket.destroy();
      }
    }, HTTP_LIMITS.closeGraceMs).unref();
  }

  function waitForAwaitedResponses(graceMs: number): Promise<void> {
    const awaitedCount = (): number => inFlight.size - unawaited.size;
    return new Promise<void>((resolve) => {
      if (awaitedCount() === 0) {
        resolve();
        return;
      }
      const timer = setTimeout(finish, graceMs);
      onResponseDone = () => {
        if (awaitedCount() === 0) {
          finish();
        }
      };
      function finish(): void {
        clearTimeout(timer);
        onResponseDone = undefined;
        resolve();
      }
    });
  }

  return {
    address: { host: bound.address, port: bound.port },
    close: () => {
      closing ??= shutDown();
      return closing;
    },
  };
}

/** A reply ready to go out: its whole body as bytes, or a stream to start. */
type Outgoing = WholeResponse | StreamReply;

interface WholeResponse {
  readonly kind: 'whole';
  readonly status: number;
  readonly contentType: string;
  readonly bytes: Buffer;
  readonly headers: ReplyHeaders;
  readonly closeConnection: boolean;
}

/** Throws when a JSON body cannot be encoded: a bug, which the caller answers with a 500. */
function encodeReply(reply: Reply): Outgoing {
  switch (reply.kind) {
    case 'json':
      return whole(reply, JSON_CONTENT_TYPE, encodeJson(reply.body));
    case 'encoded-json':
      return whole(reply, JSON_CONTENT_TYPE, reply.bytes);
    case 'text':
      return whole(reply, reply.contentType, Buffer.from(reply.text, 'utf8'));
    case 'stream':
      return reply;
    default: {
      const unexpected: never = reply;
      return unexpected;
    }
  }
}

function whole(reply: Exclude<Reply, StreamReply>, contentType: string, bytes: Buffer): WholeResponse {
  return {
    kind: 'whole',
    status: reply.status,
    contentType,
    bytes,
    headers: reply.headers ?? {},
    closeConnection: reply.closeConnection === true,
  };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The status answered to a broken request, or null when there is no one left to answer. */
function clientErrorStatus(code: string | undefined): 400 | 408 | 413 | 431 | null {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    default:
      return 400;
  }
}

function clientErrorMessage(status: 400 | 408 | 413 | 431, timeouts: HttpTimeouts): string {
  switch (status) {
    case 408:
      return (
        `the request did not arrive in time (headers within ${timeouts.headersTimeoutMs} ms, ` +
        `all of it within ${timeouts.requestTimeoutMs} ms)`
      );
    case 431:
      return 'the request headers are too large';
    case 413:
      return 'the request is too large';
    case 400:
      return 'malformed HTTP request';
  }
}

function listen(server: ReturnType<typeof createServer>, options: HttpServerOptions): Promise<void> {
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
