/**
 * Bounds on the local HTTP endpoint, in one place. Each keeps a slow, broken or hostile client
 * from holding the agent's memory, sockets or shutdown.
 */
export const HTTP_LIMITS = {
  /** Largest request body accepted (POST /v1/join and /v1/keys/* read one); larger bodies get 413. */
  maxBodyBytes: 64 * 1024,
  /**
   * An oversized body up to this size is read and thrown away before answering 413: closing a
   * socket with unread input makes the kernel send RST, and the client would then often see
   * "connection reset" instead of our 413. Beyond this the connection is simply cut.
   */
  maxDrainBytes: 1024 * 1024,
  /** Most seed addresses in one POST /v1/join. */
  maxJoinAddrs: 64,
  /** The whole request (headers and body) must arrive within this many milliseconds. */
  requestTimeoutMs: 10_000,
  /** The request headers must arrive within this many milliseconds (must be ≤ requestTimeoutMs). */
  headersTimeoutMs: 5_000,
  /** An idle keep-alive connection is closed after this many milliseconds. */
  keepAliveTimeoutMs: 2_000,
  /**
   * How often Node enforces the two request timeouts above, in milliseconds; its 30 s default
   * would let a slow client overrun them by up to that much.
   */
  connectionsCheckIntervalMs: 1_000,
  /** close() waits this many milliseconds for in-flight responses before cutting them off. */
  closeGraceMs: 2_000,
  /** Most GET /v1/events streams open at once; one more gets 503. */
  maxEventStreams: 256,
  /**
   * Bytes written to an event stream and not yet taken by its client. A client that falls this
   * far behind is disconnected rather than buffered without bound; it resumes with Last-Event-ID.
   */
  eventStreamBacklogBytes: 1024 * 1024,
  /** A comment line goes down every event stream this often, so proxies and clients see it alive. */
  eventHeartbeatMs: 15_000,
  /** The reconnection delay an event stream suggests to EventSource clients (`retry:`). */
  eventRetryMs: 2_000,
  /** Longest `wait` of a blocking query (GET /v1/members?index=N&wait=…), and the default. */
  maxBlockingWaitMs: 5 * 60_000,
} as const;

/** The timeouts a test (or an embedder) may shorten; the rest of HTTP_LIMITS is fixed. */
export interface HttpTimeouts {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectionsCheckIntervalMs: number;
  readonly eventHeartbeatMs: number;
}

/** Shortest bearer token accepted (--http-token): 16 characters of `openssl rand -hex 16` are 64 bits. */
export const MIN_TOKEN_CHARS = 16;
/** Longest bearer token accepted (--http-token). */
export const MAX_TOKEN_CHARS = 512;
