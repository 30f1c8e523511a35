import type { Coordinate } from '../protocol/coordinate.js';
import type { MemberState, Message } from '../protocol/messages.js';
import type { Tags } from '../protocol/types.js';
import { HEADER_BYTES } from './header.js';
import { utf8Length } from './text.js';

/**
 * Exact msgpack sizes, computed without encoding. msgpackr always picks the smallest header
 * for a string, an unsigned integer, an array or a map, and a msgpack array is just its header
 * followed by its elements, so a packet is exactly
 *   HEADER_BYTES + arrayHeaderBytes(count) + Σ messageSize(message).
 * The protocol relies on this to fill packets up to maxPacketBytes without trial encodes.
 */

/** The 5-byte header plus the worst-case array header (array16) for ≤ 255 messages. */
export const PACKET_OVERHEAD_BYTES = HEADER_BYTES + 3;

/** Exact overhead of a packet of `count` messages (fixarray below 16 messages). */
export function packetOverheadBytes(count: number): number {
  return HEADER_BYTES + arrayHeaderBytes(count);
}

export function arrayHeaderBytes(count: number): number {
  return count < 0x10 ? 1 : count < 0x10000 ? 3 : 5;
}

/** msgpack maps use the same header widths as arrays (fixmap / map16 / map32). */
export const mapHeaderBytes = arrayHeaderBytes;

/** Size of a non-negative integer; a larger one is encoded as a float64 (9 bytes). Fields sized here never hold fractions. */
export function uintBytes(value: number): number {
  if (value >>> 0 !== value) return 9;
  return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
}

/**
 * Size of any number as our Packr writes it: an unsigned 32-bit integer as uintBytes, a negative
 * 32-bit integer as a (fix)int, any other number in the int32..uint32 range as a float32
 * (useFloat32 ALWAYS, see codec.ts), anything else as a float64.
 */
export function numberBytes(value: number): number {
  if (value >>> 0 === value) return uintBytes(value);
  if (value >> 0 === value) return value >= -0x20 ? 1 : value >= -0x80 ? 2 : value >= -0x8000 ? 3 : 5;
  return value < 0x1_0000_0000 && value >= -0x8000_0000 ? 5 : 9;
}

/** A coordinate tuple [vec, height, adjustment, error]: at most 2 + 11 × 5 = 57 bytes. */
export function coordinateBytes(c: Coordinate): number {
  let bytes = 1 + arrayHeaderBytes(c.vec.length);
  for (const x of c.vec) bytes += numberBytes(x);
  return bytes + numberBytes(c.height) + numberBytes(c.adjustment) + numberBytes(c.error);
}

/** Size of a string whose UTF-8 encoding is `byteLength` bytes (fixstr / str8 / str16 / str32). */
export function strBytesFromLength(byteLength: number): number {
  const header = byteLength < 0x20 ? 1 : byteLength < 0x100 ? 2 : byteLength < 0x10000 ? 3 : 5;
  return header + byteLength;
}

export function strBytes(text: string): number {
  return strBytesFromLength(utf8Length(text));
}

/** Encoded size of a tags map, header included: what LIMITS.maxTagsBytes bounds. */
export function tagsEncodedBytes(tags: Tags): number {
  const keys = Object.keys(tags);
  let bytes = mapHeaderBytes(keys.length);
  for (const key of keys) {
    bytes += strBytes(key) + strBytes(tags[key] ?? '');
  }
  return bytes;
}

const BOOL_BYTES = 1;
/** Type codes are below 128: one positive-fixint byte. */
const TYPE_CODE_BYTES = 1;
/** Every tuple has at most 15 elements: a one-byte fixarray header. */
const TUPLE_HEADER_BYTES = 1;
const TUPLE_PREFIX_BYTES = TUPLE_HEADER_BYTES + TYPE_CODE_BYTES;

function memberStateBytes(member: MemberState): number {
  return (
    TUPLE_HEADER_BYTES +
    strBytes(member.name) +
    strBytes(member.addr.host) +
    uintBytes(member.addr.port) +
    uintBytes(member.incarnation) +
    1 + // status code 0..3
    tagsEncodedBytes(member.tags)
  );
}

function optionalCoordinateBytes(c: Coordinate | undefined): number {
  return c === undefined ? 0 : coordinateBytes(c);
}

/** Exact encoded size of one message tuple inside a packet. */
export function messageSize(message: Message): number {
  switch (message.type) {
    case 'ping':
      // A request for a coordinate is one byte (msgpack true).
      return TUPLE_PREFIX_BYTES + uintBytes(message.seq) + strBytes(message.target) + (message.wantsCoordinate === true ? 1 : 0);
    case 'ack':
      return TUPLE_PREFIX_BYTES + uintBytes(message.seq) + optionalCoordinateBytes(message.coordinate);
    case 'nack':
      return TUPLE_PREFIX_BYTES + uintBytes(message.seq);
    case 'ping-req':
      return (
        TUPLE_PREFIX_BYTES +
        uintBytes(message.seq) +
        strBytes(message.target) +
        strBytes(message.targetAddr.host) +
        uintBytes(message.targetAddr.port) +
        BOOL_BYTES
      );
    case 'alive':
      return (
        TUPLE_PREFIX_BYTES +
        strBytes(message.name) +
        uintBytes(message.incarnation) +
        strBytes(message.addr.host) +
        uintBytes(message.addr.port) +
        tagsEncodedBytes(message.tags)
      );
    case 'suspect':
      return (
        TUPLE_PREFIX_BYTES +
        strBytes(message.name) +
        uintBytes(message.incarnation) +
        strBytes(message.from) +
        (message.ageMs === undefined ? 0 : uintBytes(message.ageMs))
      );
    case 'failed':
      return TUPLE_PREFIX_BYTES + strBytes(message.name) + uintBytes(message.incarnation) + strBytes(message.from);
    case 'left':
      return TUPLE_PREFIX_BYTES + strBytes(message.name) + uintBytes(message.incarnation);
    case 'sync': {
      let bytes = TUPLE_PREFIX_BYTES + uintBytes(message.digest) + uintBytes(message.members) + BOOL_BYTES;
      if (message.nonce !== undefined || message.cookie !== undefined) bytes += uintBytes(message.nonce ?? 0);
      if (message.cookie !== undefined) bytes += uintBytes(message.cookie);
      return bytes;
    }
    case 'buckets':
      return (
        TUPLE_PREFIX_BYTES +
        uintBytes(message.nonce) +
        uintListBytes(message.sums) +
        (message.part === undefined ? 0 : uintBytes(message.part.count) + uintBytes(message.part.offset))
      );
    case 'pull':
      return (
        TUPLE_PREFIX_BYTES +
        uintBytes(message.cookie) +
        uintBytes(message.bucketCount) +
        uintListBytes(message.indices) +
        (message.next === undefined ? 0 : uintBytes(message.next.nonce) + uintBytes(message.next.offset))
      );
    case 'introduce':
      return TUPLE_PREFIX_BYTES;
    case 'challenge':
      return TUPLE_PREFIX_BYTES + uintBytes(message.nonce) + uintBytes(message.cookie) + uintBytes(message.members);
    case 'state': {
      let bytes = TUPLE_PREFIX_BYTES + BOOL_BYTES + arrayHeaderBytes(message.members.length);
      for (const member of message.members) bytes += memberStateBytes(member);
      return bytes;
    }
    case 'key-request':
      // The op is a code 0..5: one positive-fixint byte.
      return TUPLE_PREFIX_BYTES + uintBytes(message.id) + 1 + strBytes(message.key) + uintBytes(message.sentAtS) + strBytes(message.name);
    case 'key-response': {
      // The mode is a code 0..2: one positive-fixint byte.
      let bytes = TUPLE_PREFIX_BYTES + uintBytes(message.id) + strBytes(message.name) + BOOL_BYTES + strBytes(message.error) + 1;
      bytes += arrayHeaderBytes(message.keyIds.length);
      for (const id of message.keyIds) bytes += strBytes(id);
      return bytes;
    }
    case 'user-event':
      return (
        TUPLE_PREFIX_BYTES +
        strBytes(message.origin) +
        uintBytes(message.epoch) +
        uintBytes(message.seq) +
        uintBytes(message.ltime) +
        strBytes(message.name) +
        strBytes(message.payload) +
        BOOL_BYTES
      );
    case 'event-clock':
      return TUPLE_PREFIX_BYTES + uintBytes(message.ltime);
    case 'forget':
      return TUPLE_PREFIX_BYTES + strBytes(message.name) + uintBytes(message.incarnation);
    case 'query': {
      let bytes =
        TUPLE_PREFIX_BYTES +
        uintBytes(message.id) +
        strBytes(message.origin) +
        strBytes(message.replyTo.host) +
        uintBytes(message.replyTo.port) +
        strBytes(message.name) +
        strBytes(message.payload) +
        arrayHeaderBytes(message.nodes.length) +
        tagsEncodedBytes(message.tags) +
        uintBytes(message.timeoutMs);
      for (const node of message.nodes) bytes += strBytes(node);
      return bytes;
    }
    case 'query-ack':
      return TUPLE_PREFIX_BYTES + uintBytes(message.id) + strBytes(message.from);
    case 'query-response':
      return TUPLE_PREFIX_BYTES + uintBytes(message.id) + strBytes(message.from) + strBytes(message.payload);
    default:
      return unreachable(message);
  }
}

function uintListBytes(values: readonly number[]): number {
  let bytes = arrayHeaderBytes(values.length);
  for (const value of values) bytes += uintBytes(value);
  return bytes;
}

function unreachable(value: never): never {
  throw new TypeError(`unknown message ${JSON.stringify(value)}`);
}
