/** Bounds the protocol core keeps on its own state and numbers, in one place. */
export const PROTOCOL_LIMITS = {
  /** Incarnations, sequence numbers and digests are unsigned 32-bit on the wire. */
  maxUint32: 0xffff_ffff,
  /** Ping-reqs relayed at once: a flood of requests cannot grow memory. */
  maxRelays: 256,
  /** Member entries in one `state` message (a full table is split across packets). */
  maxStateMembersPerPacket: 255,
  /**
   * Bucket sums in one `buckets` message, and indices in one `pull`: 256 sums of ≤ 5 bytes
   * each fill about 1,300 bytes, one packet.
   */
  maxDigestBuckets: 256,
  /**
   * Buckets a table digest is split into at most (a power of two), about 2 members each: at
   * 3,000 members joining at once the tables compared were 80–90 % alike and differed in every
   * one of 256 buckets, so every round swapped nearly whole tables. The sums then come 256 to a
   * `buckets` part, one part per pull. The fine sums are kept at this count (16 KB a table)
   * and folded down.
   */
  fineDigestBuckets: 4096,
  /** Cookies from peers kept for later rounds (oldest dropped first): a memory bound. */
  maxHeldCookies: 4096,
  /** Anti-entropy rounds we opened and await an answer to (oldest dropped first). */
  maxOpenRounds: 64,
  /** Slack left in a `state` packet for msgpack array headers, in bytes. */
  stateFramingBytes: 8,
  /**
   * User events remembered as delivered, by (origin, seq): a copy gossiped back later is
   * recognised and dropped. Far more than a cluster sends within the few gossip rounds a copy
   * can still be in flight; the oldest are forgotten first.
   */
  maxSeenUserEvents: 8192,
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
  userEventHoldGossipIntervals: 15,
  /**
   * Membership updates queued for gossip by this member; beyond it the most-sent is dropped
   * first. A member sends some 800 updates a second at most (fanout × gossip rate × what fits
   * in a packet, plus what rides on probes), each λ log n times, so it retires about 40 a
   * second at 10,000 members: an update that waits behind more than this many would go out
   * half a minute late, after anti-entropy has carried it. Without the bound a join storm of
   * 10,000 members queued every joiner's alive at every member (10⁸ queued updates, past the
   * simulator's 4 GB heap within its second simulated second). Our own refutations and leave
   * are never dropped.
   */
  maxQueuedUpdates: 1024,
  /**
   * Queued membership updates above which a peer's copy of a join we queued counts as one of
   * our transmissions of it (Dissemination.heardAgain). Below it (clusters of up to about a
   * hundred members, a few joins at a time) every update goes out its full λ log n times.
   */
  updateBacklog: 128,
  /** User events queued for gossip by this member; beyond it the most-sent is dropped first. */
  maxQueuedUserEvents: 1024,
  /**
   * A user event is sent by each holder often enough that it reaches every one of n members but
   * with this probability, under userEventAssumedLoss (userEventTransmitLimit). Nothing repairs a
   * missed event later, as probes and anti-entropy repair the member list: at memberlist's local
   * λ = 2, λ log n sends missed some member in 5–35 % of events, 4 to 100 members
   * (bench/results/2026-12-02/user-event-reach/).
   */
  userEventMissTarget: 1e-4,
  userEventAssumedLoss: 0.1,
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
