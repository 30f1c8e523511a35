/**
 * Bounds on the local HTTP endpoint, in one place. Each keeps a slow, broken or hostile client
 * from holding the agent's memory, sockets or shutdown.
 */
export const HTTP_LIMITS = {
  /** Largest request body accepted (only POST /v1/join reads one); larger bodies get 413. */
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
} as const;
