import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { AgentApi } from '../agent/api.js';
import { addressKey } from '../protocol/types.js';
import { readBody } from './body.js';
import { encodeJson, errorMessage, errorReply, type Reply } from './json.js';
import { HTTP_LIMITS } from './limits.js';
import { dispatch } from './routes.js';

export interface HttpServerOptions {
  /** Interface to listen on; the agent's default is loopback (127.0.0.1). */
  readonly host: string;
  /** TCP port; 0 lets the OS choose one (see MembershipHttpServer.address). */
  readonly port: number;
  /** Each request is logged at debug, each 500 at error. Default: no logging. */
  readonly logger?: Logger | undefined;
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
  const server = createServer({
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    headersTimeout: HTTP_LIMITS.headersTimeoutMs,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    connectionsCheckingInterval: HTTP_LIMITS.connectionsCheckIntervalMs,
  });

  const sockets = new Set<Socket>();
  const inFlight = new Set<ServerResponse>();
  /** In-flight responses close() does not wait for (see Route.mayCloseServer). */
  const unawaited = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  let onResponseDone: (() => void) | undefined;

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const startedMs = performance.now();
    inFlight.add(res);
    res.once('close', () => {
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
    let reply: Reply;
    let payload: Buffer;
    try {
      reply = await dispatch(
        api,
        {
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          origin: req.headers.origin,
          readBody: () => readBody(req, HTTP_LIMITS),
        },
        {
          onRoute: (route) => {
            // A client that already hung up has no response left to deliver.
            if (route.mayCloseServer && inFlight.has(res)) {
              unawaited.add(res);
            }
          },
        },
      );
      payload = encodeJson(reply.body);
    } catch (error) {
      logger?.error({ err: error, method: req.method, path: req.url }, 'http handler failed');
      reply = errorReply(500, `internal error: ${errorMessage(error)}`);
      payload = encodeJson(reply.body);
    }
    send(res, reply, payload);
  }

  function send(res: ServerResponse, reply: Reply, payload: Buffer): void {
    if (res.headersSent || res.destroyed) {
      return;
    }
    res.statusCode = reply.status;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', payload.length);
    res.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(reply.headers ?? {})) {
      res.setHeader(name, value);
    }
    if (reply.closeConnection === true || closing !== undefined) {
      // Node ends the socket once this response is written, instead of keeping it alive.
      res.setHeader('Connection', 'close');
    }
    res.end(payload);
  }

  await listen(server, options);
  server.on('error', (error: Error) => {
    // After listening, errors come from accepting connections (EMFILE…); they must not crash the agent.
    logger?.error({ err: error }, 'http server error');
  });

  const bound = server.address() as AddressInfo;

  async function shutDown(): Promise<void> {
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
