import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { OpenStreams } from './stream.js';

/**
 * The closing of one server, and what it needs to know: its connections and its in-flight
 * responses. close() waits (up to `graceMs`) for every in-flight response except those of
 * routes that may themselves close the server (POST /v1/leave, see Route.mayCloseServer):
 * api.leave may be what called close(), so waiting for it would have the two wait on each
 * other. Such a response's connection is kept open for another grace, so it still goes out.
 */
export class ServerShutdown {
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<ServerResponse>();
  /** In-flight responses close() does not wait for (see Route.mayCloseServer). */
  private readonly unawaited = new Set<ServerResponse>();
  private closing: Promise<void> | undefined;
  private onResponseDone: (() => void) | undefined;
  /** Aborted when close() starts: pending long polls answer at once. */
  private readonly started = new AbortController();

  constructor(
    private readonly server: Server,
    /** GET /v1/events responses: ended first when the server closes. */
    private readonly streams: OpenStreams,
    private readonly graceMs: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Aborts when close() starts. */
  get signal(): AbortSignal {
    return this.started.signal;
  }

  /** Whether close() has been called (responses sent from then on close their connection). */
  isClosing(): boolean {
    return this.closing !== undefined;
  }

  /** A response has started: close() waits for it unless it is exempted. */
  responseStarted(res: ServerResponse): void {
    this.inFlight.add(res);
  }

  /** The leave exemption: close() does not wait for this response (see Route.mayCloseServer). */
  exempt(res: ServerResponse): void {
    // A client that already hung up has no response left to deliver.
    if (this.inFlight.has(res)) {
      this.unawaited.add(res);
    }
  }

  /** A response has finished or was cut off. */
  responseDone(res: ServerResponse): void {
    this.inFlight.delete(res);
    this.unawaited.delete(res);
    this.onResponseDone?.();
  }

  /** Idempotent: every call answers with the one shutdown. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Event streams never finish by themselves: end them now, or close() would wait out its grace.
    this.streams.closeAll();
    this.started.abort();
    const allClosed = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
    });
    // Node ≥ 19 does this inside close() too; explicit so idle keep-alive sockets never hold us.
    this.server.closeIdleConnections();
    await this.waitForAwaitedResponses();
    const keep = new Set<Socket>();
    for (const res of this.unawaited) {
      if (res.socket !== null) {
        keep.add(res.socket);
      }
    }
    for (const socket of this.sockets) {
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
      for (const socket of this.sockets) {
        socket.destroy();
      }
    }, this.graceMs).unref();
  }

  private waitForAwaitedResponses(): Promise<void> {
    const awaitedCount = (): number => this.inFlight.size - this.unawaited.size;
    return new Promise<void>((resolve) => {
      if (awaitedCount() === 0) {
        resolve();
        return;
      }
      const finish = (): void => {
        clearTimeout(timer);
        this.onResponseDone = undefined;
        resolve();
      };
      const timer = setTimeout(finish, this.graceMs);
      this.onResponseDone = () => {
        if (awaitedCount() === 0) {
          finish();
        }
      };
    });
  }
}
