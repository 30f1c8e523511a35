/** Bounds the protocol core keeps on its own state and numbers, in one place. */
export const PROTOCOL_LIMITS = {
  /** Incarnations, sequence numbers and digests are unsigned 32-bit on the wire. */
  maxUint32: 0xffff_ffff,
  /** Ping-reqs relayed at once: a flood of requests cannot grow memory. */
  maxRelays: 256,
  /** Member entries in one `state` message (a full table is split across packets). */
  maxStateMembersPerPacket: 255,
  /**
   * Buckets a table digest is split into at most (a power of two): 256 sums of ≤ 5 bytes each
   * fill about 1,300 bytes, one packet. The fine sums are kept at this count and folded down.
   */
  maxDigestBuckets: 256,
  /** Cookies from peers kept for later rounds (oldest dropped first): a memory bound. */
  maxHeldCookies: 4096,
  /** Anti-entropy rounds we opened and await an answer to (oldest dropped first). */
  maxOpenRounds: 64,
  /** Slack left in a `state` packet for msgpack array headers, in bytes. */
  stateFramingBytes: 8,
} as const;
