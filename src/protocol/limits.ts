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
} as const;
