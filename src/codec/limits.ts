import { VIVALDI } from '../protocol/coordinate.js';
import { PROTOCOL_LIMITS } from '../protocol/limits.js';
import { HEADER_BYTES } from './header.js';

/**
 * Every bound the codec enforces, in one place. Anything from the network is checked against
 * these before it becomes a typed message; the config module uses the same numbers (through
 * `validateTags`, `validateName`, `validateHost`) so a local value can never produce a packet
 * that peers would drop.
 */
export const LIMITS = {
  /**
   * Largest datagram accepted, in bytes. A jumbo-frame payload: well above what any gossipd
   * sends (maxPacketSize defaults to 1400), so a peer with a bigger maxPacketSize still gets
   * through, while bigger datagrams are dropped (`too-large`) before a single byte is parsed.
   */
  maxDatagramBytes: 9216,
  /** Smallest datagram: the header plus a one-byte msgpack array header (`too-short`). */
  minDatagramBytes: HEADER_BYTES + 1,
  /** Messages in one compound packet. Keeps the outer array header at ≤ 3 bytes (array16). */
  maxMessagesPerPacket: 255,
  /** Member entries in one `state` message; a full table is split across several packets. */
  maxStateMembersPerPacket: PROTOCOL_LIMITS.maxStateMembersPerPacket,
  /**
   * Bucket sums in a `buckets` message and bucket indices in a `pull`.
   */
  maxDigestBuckets: PROTOCOL_LIMITS.maxDigestBuckets,
  /** Buckets a table digest may be split into (a power of two): sent 256 sums to a part. */
  maxBucketCount: PROTOCOL_LIMITS.fineDigestBuckets,
  /** Member names (`name`, `target`, `from`): UTF-8 bytes, at least 1. No control characters. */
  maxNameBytes: 128,
  /** Host of an address, in characters: the longest DNS name. Printable ASCII only. */
  maxHostChars: 253,
  /** UDP ports: 0 is "any port" for bind(), never an address someone can be reached at. */
  minPort: 1,
  maxPort: 65535,
  /** seq, incarnation, digest and member count are unsigned 32-bit on the wire. */
  maxUint32: PROTOCOL_LIMITS.maxUint32,
  /** Keys in one member's tags. */
  maxTagCount: 64,
  /** One tag key, UTF-8 bytes, at least 1. No control characters. */
  maxTagKeyBytes: 128,
  /** One tag value, UTF-8 bytes (may be empty). The total below is usually what binds first. */
  maxTagValueBytes: 512,
  /**
   * The whole tags map as encoded (map header + every key and value with their headers), so
   * that one `alive` (at most 395 bytes besides its tags) always fits a 1400-byte packet.
   */
  maxTagsBytes: 512,
  /**
   * Containers nested in a packet: message array › message › state members › member › tags.
   * Anything deeper cannot be a valid packet and is refused before msgpackr would recurse.
   */
  maxNestingDepth: 5,
  /** A key in a key-request: base64 of 32 bytes (AES-256), exactly this many characters. */
  keyTextChars: 44,
  /** A key id in a key-response: 16 lowercase hex digits (a hash prefix of the key). */
  keyIdChars: 16,
  /**
   * Keys in one keyring. Two are enough for a rotation; the bound caps the trial decryptions a
   * junk datagram costs and keeps a key-response (at most 405 bytes) inside a 576-byte packet.
   */
  maxKeyringKeys: 8,
  /** Why a member refused a key operation, in UTF-8 bytes. No control characters. */
  maxKeyErrorBytes: 128,
  /** A user event's or a query's name, UTF-8 bytes, at least 1. No control characters. */
  maxEventNameBytes: 64,
  /**
   * A user event's payload, UTF-8 bytes (may be empty; control characters such as newlines
   * allowed). With a 128-byte origin and a 64-byte name the event is at most 468 bytes, so it
   * fits one 576-byte datagram, encrypted, with room to spare.
   */
  maxUserEventPayloadBytes: 256,
  /** A query's payload, UTF-8 bytes: the same bound as a user event's. */
  maxQueryPayloadBytes: 256,
  /**
   * A query answer's payload, UTF-8 bytes. The agent cuts a handler's output to this, and
   * further to what fits its own maxPacketBytes.
   */
  maxQueryResponseBytes: 1024,
  /** Members a query names (`--node`); none means every member. */
  maxQueryNodes: 16,
  /** How long a query may collect answers, in ms (5 minutes). */
  maxQueryTimeoutMs: 300_000,
  /** Dimensions of a coordinate's vec (on pings and acks): exactly this many, as every member uses. */
  coordinateDimensions: VIVALDI.dimensions,
  /** Largest |vec[i]|, height and |adjustment| of a coordinate, in seconds; error is in 0..maxCoordinateError. */
  maxCoordinateS: PROTOCOL_LIMITS.maxCoordinateS,
  maxCoordinateError: PROTOCOL_LIMITS.maxCoordinateError,
} as const;
