/** Headers a route adds to its answer (Allow, WWW-Authenticate, X-Gossipd-Index, …). */
export type ReplyHeaders = Readonly<Record<string, string>>;

/**
 * What a route answers, one kind per way its body goes out. DESIGN.md §3: errors are JSON
 * too, so every error is a `json` reply (see errorReply).
 */
export type Reply = JsonReply | EncodedJsonReply | TextReply | StreamReply;

/** A JSON value, encoded by the server (see encodeJson). */
export interface JsonReply {
  readonly kind: 'json';
  readonly status: number;
  readonly body: unknown;
  readonly headers?: ReplyHeaders;
  /** Ask for the connection to be closed after this response (its input was not all read). */
  readonly closeConnection?: boolean;
}

/** JSON already encoded, sent as it is (a cached listing). */
export interface EncodedJsonReply {
  readonly kind: 'encoded-json';
  readonly status: number;
  readonly bytes: Buffer;
  readonly headers?: ReplyHeaders;
  readonly closeConnection?: boolean;
}

/** Text in a format that is not JSON (GET /metrics). */
export interface TextReply {
  readonly kind: 'text';
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly headers?: ReplyHeaders;
  readonly closeConnection?: boolean;
}

/** A body written over time (GET /v1/events); see stream.ts. */
export interface StreamReply {
  readonly kind: 'stream';
  readonly status: number;
  readonly headers?: ReplyHeaders;
  readonly stream: StreamBody;
}

/** Where a streaming route writes; the server owns the socket behind it. */
export interface StreamSink {
  /** Queues text for the client; false once the stream has closed (a client too far behind is cut off). */
  write(text: string): boolean;
  end(): void;
  /** Runs once when the stream closes for any reason; at once if it already has. */
  onClose(listener: () => void): void;
}

/** The body of a reply written over time (Server-Sent Events) instead of one JSON value. */
export interface StreamBody {
  readonly contentType: string;
  /** A comment line the server sends on every stream now and then; see HTTP_LIMITS.eventHeartbeatMs. */
  readonly heartbeat: string;
  /** Called once the headers are out. */
  start(sink: StreamSink): void;
}

export function jsonReply(status: number, body: unknown): JsonReply {
  return { kind: 'json', status, body };
}

/** A 200 whose body is `text` as it is, for formats other programs define (Prometheus). */
export function textReply(contentType: string, text: string): TextReply {
  return { kind: 'text', status: 200, contentType, text };
}

export function errorReply(status: number, message: string): JsonReply {
  return { kind: 'json', status, body: { error: message } };
}
