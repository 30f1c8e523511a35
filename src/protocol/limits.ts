/** Bounds the protocol core keeps on its own state and numbers, in one place. */
export const PROTOCOL_LIMITS = {
  /** Incarnations, sequence numbers and digests are unsigned 32-bit on the wire. */
  maxUint32: 0xffff_ffff,
  /** Ping-reqs relayed at once: a flood of requests cannot grow memory. */
  maxRelays: 256,
  /** Member entries in one `state` message (a full table is split across packets). */
  maxStateMembersPerPacket: 255,
  /** Slack left in a `state` packet for msgpack array headers, in bytes. */
  stateFramingBytes: 8,
  /** Round trips above this (Serf's 10 s) are not samples of a network distance but of a stall, and are not used for coordinates. */
  maxRttSampleMs: 10_000,
  /**
   * Largest coordinate component accepted from a peer, in seconds, for each of vec, height and
   * |adjustment|: far beyond any real distance (a round trip of 10 s), so only garbage is refused.
   */
  maxCoordinateS: 10,
  /** Largest error a coordinate may claim (Vivaldi's errorMax: a node that knows nothing). */
  maxCoordinateError: 1.5,
} as const;
