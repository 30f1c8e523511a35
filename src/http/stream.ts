import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorReply, type JsonReply, type StreamReply, type StreamSink } from './reply.js';

export interface StreamLimits {
  readonly maxStreams: number;
  readonly backlogBytes: number;
  readonly heartbeatMs: number;
}

/**
 * The open streaming responses of one server: bounded in number and in what each may have
 * unsent, kept alive with heartbeats, and ended when the server closes (so close() does not
 * wait out its grace period on them).
 */
export class OpenStreams {
  private readonly open = new Set<ResponseSink>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly limits: StreamLimits,
    private readonly logger: Logger | undefined,
  ) {}

  /** Starts `reply.stream` on `res`, or returns the error reply to send instead. */
  start(res: ServerResponse, reply: StreamReply): JsonReply | null {
    if (this.closed) return errorReply(503, 'the agent is stopping');
    if (this.open.size >= this.limits.maxStreams) {
      return errorReply(503, `too many open event streams (at most ${this.limits.maxStreams})`);
    }
    res.statusCode = reply.status;
    res.setHeader('Content-Type', reply.stream.contentType);
    res.setHeader('Cache-Control', 'no-store');
    // nginx and similar proxies buffer responses unless told not to, which would hold events back.
    res.setHeader('X-Accel-Buffering', 'no');
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    if (res.req.method === 'HEAD') {
      res.end();
      return null;
    }
    res.flushHeaders();
    const sink = new ResponseSink(res, this.limits.backlogBytes, this.logger);
    this.open.add(sink);
    sink.onClose(() => {
      this.open.delete(sink);
      if (this.open.size === 0) this.stopHeartbeat();
    });
    this.startHeartbeat(reply.stream.heartbeat);
    reply.stream.start(sink);
    return null;
  }

  /** Ends every stream and refuses new ones: the server is closing. */
  closeAll(): void {
    this.closed = true;
    this.stopHeartbeat();
    for (const sink of [...this.open]) sink.end();
  }

  private startHeartbeat(text: string): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => {
      for (const sink of [...this.open]) sink.write(text);
    }, this.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

class ResponseSink implements StreamSink {
  private closed = false;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly backlogBytes: number,
    private readonly logger: Logger | undefined,
  ) {
    res.once('close', () => this.markClosed());
  }

  write(text: string): boolean {
    if (this.closed) return false;
    this.res.write(text);
    if (this.res.writableLength <= this.backlogBytes) return true;
    // The client reads slower than events come: cut it off rather than buffer without bound.
    this.logger?.warn(
      { path: this.res.req.url, unsentBytes: this.res.writableLength, limitBytes: this.backlogBytes },
      'event stream client too slow: disconnected (it may resume with Last-Event-ID)',
    );
    this.res.destroy();
    this.markClosed();
    return false;
  }

  end(): void {
    if (this.closed) return;
    this.res.end();
    this.markClosed();
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.listeners.push(listener);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}
