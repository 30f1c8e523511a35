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
  /**
   * User events remembered as delivered, by (origin, seq): a copy gossiped back later is
   * recognised and dropped. Far more than a cluster sends within the few gossip rounds a copy
   * can still be in flight; the oldest are forgotten first.
   */
  maxSeenUserEvents: 4096,
  /** Origins whose next expected event number is remembered; the least recently heard is forgotten first. */
  maxUserEventOrigins: 4096,
  /**
   * Events held back per origin while an earlier one of that origin is missing (lost, or
   * coalesced away): beyond it the oldest held is delivered and the gap skipped.
   */
  maxHeldUserEventsPerOrigin: 64,
  /**
   * How long an event waits for a missing earlier one of its origin, in gossip intervals. The
   * earlier event is normally a round or two behind on another path; waiting longer would only
   * delay every event after a lost one.
   */
  userEventHoldGossipIntervals: 10,
  /** User events queued for gossip by this member; beyond it the most-sent is dropped first. */
  maxQueuedUserEvents: 1024,
  /** Each user event is sent this many times the membership updates' retransmit limit (Serf gossips events on their own queue). */
  userEventRetransmitFactor: 2,
} as const;
