import type { Coordinate } from '../protocol/coordinate.js';
import type { KeyOp, KeyringMode, MemberState, Message, MessageType, Sync } from '../protocol/messages.js';
import type { MemberStatus, Tags } from '../protocol/types.js';

/**
 * Messages travel as positional msgpack arrays (tuples) led by a small type code: no field
 * names on the wire, so a ping to a 10-character name is 14–18 bytes, not 40.
 */

export const TYPE_CODES = {
  ping: 0,
  ack: 1,
  nack: 2,
  'ping-req': 3,
  alive: 4,
  suspect: 5,
  failed: 6,
  left: 7,
  sync: 8,
  state: 9,
  'key-request': 10,
  'key-response': 11,
  buckets: 12,
  pull: 13,
  challenge: 14,
  introduce: 15,
  'user-event': 16,
  'event-clock': 17,
  forget: 18,
  query: 19,
  'query-ack': 20,
  'query-response': 21,
} as const satisfies Record<MessageType, number>;

/** Inverse of TYPE_CODES: index = code (codes need not be contiguous; a gap is undefined). */
export const TYPE_BY_CODE: readonly (MessageType | undefined)[] = (() => {
  const byCode: (MessageType | undefined)[] = [];
  for (const type of Object.keys(TYPE_CODES) as MessageType[]) byCode[TYPE_CODES[type]] = type;
  return Array.from(byCode);
})();

/** Elements per tuple, type code included. */
export const TUPLE_LENGTHS = {
  ping: 3,
  ack: 2,
  nack: 2,
  'ping-req': 6,
  alive: 6,
  suspect: 4,
  failed: 4,
  left: 3,
  sync: 4,
  state: 3,
  'key-request': 6,
  'key-response': 7,
  buckets: 3,
  pull: 4,
  challenge: 4,
  introduce: 1,
  'user-event': 8,
  'event-clock': 2,
  forget: 3,
  query: 10,
  'query-ack': 3,
  'query-response': 4,
} as const satisfies Record<MessageType, number>;

/**
 * Trailing elements a message may omit: a suspect's age (absent in memberlist's timing); a
 * sync's nonce and cookie (a cookie only after a nonce); a ping's request for a coordinate
 * (`true`) and an ack's coordinate (absent unless sampled); a `buckets` part's count and offset
 * and a pull's next part (nonce and offset), both or neither.
 */
export const OPTIONAL_TUPLE_ELEMENTS: Readonly<Partial<Record<MessageType, number>>> = { suspect: 1, sync: 2, ping: 1, ack: 1, buckets: 2, pull: 2 };

/** A coordinate on the wire: [vec, height, adjustment, error], vec an array of LIMITS.coordinateDimensions numbers. */
export const COORDINATE_TUPLE_LENGTH = 4;

export function coordinateTuple(c: Coordinate): unknown[] {
  return [[...c.vec], c.height, c.adjustment, c.error];
}

/** Elements of one member entry in a `state` tuple. */
export const MEMBER_TUPLE_LENGTH = 6;

export const STATUS_CODES = {
  alive: 0,
  suspect: 1,
  failed: 2,
  left: 3,
} as const satisfies Record<MemberStatus, number>;

/** Inverse of STATUS_CODES: index = code. */
export const STATUS_BY_CODE = ['alive', 'suspect', 'failed', 'left'] as const satisfies readonly MemberStatus[];

export const KEY_OP_CODES = {
  list: 0,
  install: 1,
  use: 2,
  remove: 3,
  enforce: 4,
  relax: 5,
} as const satisfies Record<KeyOp, number>;

/** Inverse of KEY_OP_CODES: index = code. */
export const KEY_OP_BY_CODE = ['list', 'install', 'use', 'remove', 'enforce', 'relax'] as const satisfies readonly KeyOp[];

export const KEYRING_MODE_CODES = {
  plaintext: 0,
  encrypt: 1,
  enforce: 2,
} as const satisfies Record<KeyringMode, number>;

/** Inverse of KEYRING_MODE_CODES: index = code. */
export const KEYRING_MODE_BY_CODE = ['plaintext', 'encrypt', 'enforce'] as const satisfies readonly KeyringMode[];

/**
 * Tags go to msgpackr as a Map, never as the object itself: for an object msgpackr consults
 * `constructor` and `toJSON`, which are ordinary tag keys here ({"toJSON": "x"} from a peer
 * would otherwise make our own encode throw when we gossip it on).
 */
function tagsMap(tags: Tags): Map<string, string> {
  const map = new Map<string, string>();
  for (const key of Object.keys(tags)) map.set(key, tags[key] ?? '');
  return map;
}

function memberTuple(member: MemberState): unknown[] {
  return [
    member.name,
    member.addr.host,
    member.addr.port,
    member.incarnation,
    STATUS_CODES[member.status],
    tagsMap(member.tags),
  ];
}

/** The wire tuple of a message (see the wire format in index.ts). */
export function toTuple(message: Message): unknown[] {
  switch (message.type) {
    case 'ping':
      return message.wantsCoordinate === true
        ? [TYPE_CODES.ping, message.seq, message.target, true]
        : [TYPE_CODES.ping, message.seq, message.target];
    case 'ack':
      return message.coordinate === undefined
        ? [TYPE_CODES.ack, message.seq]
        : [TYPE_CODES.ack, message.seq, coordinateTuple(message.coordinate)];
    case 'nack':
      return [TYPE_CODES.nack, message.seq];
    case 'ping-req':
      return [
        TYPE_CODES['ping-req'],
        message.seq,
        message.target,
        message.targetAddr.host,
        message.targetAddr.port,
        message.wantNack,
      ];
    case 'alive':
      return [
        TYPE_CODES.alive,
        message.name,
        message.incarnation,
        message.addr.host,
        message.addr.port,
        tagsMap(message.tags),
      ];
    case 'suspect':
      return message.ageMs === undefined
        ? [TYPE_CODES.suspect, message.name, message.incarnation, message.from]
        : [TYPE_CODES.suspect, message.name, message.incarnation, message.from, message.ageMs];
    case 'failed':
      return [TYPE_CODES.failed, message.name, message.incarnation, message.from];
    case 'left':
      return [TYPE_CODES.left, message.name, message.incarnation];
    case 'sync':
      return syncTuple(message);
    case 'state':
      return [TYPE_CODES.state, message.full, message.members.map(memberTuple)];
    case 'buckets':
      return message.part === undefined
        ? [TYPE_CODES.buckets, message.nonce, [...message.sums]]
        : [TYPE_CODES.buckets, message.nonce, [...message.sums], message.part.count, message.part.offset];
    case 'pull':
      return message.next === undefined
        ? [TYPE_CODES.pull, message.cookie, message.bucketCount, [...message.indices]]
        : [TYPE_CODES.pull, message.cookie, message.bucketCount, [...message.indices], message.next.nonce, message.next.offset];
    case 'challenge':
      return [TYPE_CODES.challenge, message.nonce, message.cookie, message.members];
    case 'introduce':
      return [TYPE_CODES.introduce];
    case 'key-request':
      return [TYPE_CODES['key-request'], message.id, KEY_OP_CODES[message.op], message.key, message.sentAtS, message.name];
    case 'key-response':
      return [
        TYPE_CODES['key-response'],
        message.id,
        message.name,
        message.ok,
        message.error,
        [...message.keyIds],
        KEYRING_MODE_CODES[message.mode],
      ];
    case 'user-event':
      return [
        TYPE_CODES['user-event'],
        message.origin,
        message.epoch,
        message.seq,
        message.ltime,
        message.name,
        message.payload,
        message.coalesce,
      ];
    case 'event-clock':
      return [TYPE_CODES['event-clock'], message.ltime];
    case 'forget':
      return [TYPE_CODES.forget, message.name, message.incarnation];
    case 'query':
      return [
        TYPE_CODES.query,
        message.id,
        message.origin,
        message.replyTo.host,
        message.replyTo.port,
        message.name,
        message.payload,
        [...message.nodes],
        tagsMap(message.tags),
        message.timeoutMs,
      ];
    case 'query-ack':
      return [TYPE_CODES['query-ack'], message.id, message.from];
    case 'query-response':
      return [TYPE_CODES['query-response'], message.id, message.from, message.payload];
    default:
      return unreachable(message);
  }
}

/** A cookie travels only after a nonce (positional tuple): a cookie without one gets nonce 0. */
function syncTuple(message: Sync): unknown[] {
  const tuple: unknown[] = [TYPE_CODES.sync, message.digest, message.members, message.join];
  if (message.nonce !== undefined || message.cookie !== undefined) tuple.push(message.nonce ?? 0);
  if (message.cookie !== undefined) tuple.push(message.cookie);
  return tuple;
}

function unreachable(value: never): never {
  throw new TypeError(`unknown message ${JSON.stringify(value)}`);
}
