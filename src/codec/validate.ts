import type {
  Ack,
  Alive,
  EventClock,
  Failed,
  Forget,
  Query,
  QueryAck,
  QueryResponse,
  UserEvent,
  KeyOp,
  KeyRequest,
  KeyResponse,
  Left,
  MemberState,
  Message,
  MessageType,
  Nack,
  Ping,
  PingReq,
  State,
  Suspect,
} from '../protocol/messages.js';
import { coordinateProblem, isNumberWithin, type Coordinate } from '../protocol/coordinate.js';
import type { Address, Tags } from '../protocol/types.js';
import {
  booleanProblem,
  describe,
  eventNameProblem,
  isEventName,
  isPayload,
  payloadProblem,
  hostProblem,
  isHost,
  isIncarnation,
  isName,
  isPort,
  isSeqNo,
  isUint32,
  keyErrorProblem,
  keyIdProblem,
  keyTextProblem,
  isKeyError,
  isKeyId,
  isKeyText,
  nameProblem,
  portProblem,
  tagCountProblem,
  tagEntryBytes,
  tagsSizeProblem,
  typeName,
  uint32Problem,
  validateTags,
} from './fields.js';
import { LIMITS } from './limits.js';
import { checkBuckets, checkChallenge, checkPull, checkSync, parseBuckets, parseChallenge, parsePull, parseSync } from './validate-exchange.js';
import { mapHeaderBytes } from './sizes.js';
import { COORDINATE_TUPLE_LENGTH, KEY_OP_BY_CODE, KEYRING_MODE_BY_CODE, MEMBER_TUPLE_LENGTH, OPTIONAL_TUPLE_ELEMENTS, STATUS_BY_CODE, TUPLE_LENGTHS, TYPE_BY_CODE } from './tuples.js';

/**
 * Told of a coordinate that was dropped from a ping or an ack (the message itself is kept: a
 * peer with a bad coordinate is still alive), with a detail naming the message and the field.
 */
export type CoordinateDropped = (detail: string) => void;

/**
 * Untrusted tuple -> typed message. Every field is checked (type, range, length) and the
 * message is rebuilt from checked values only, so nothing msgpackr produced leaks through.
 * Returns the message, or a detail string naming the message, the field and the problem.
 */
export function parseMessage(raw: unknown, index: number, coordinateDropped: CoordinateDropped = () => {}): Message | string {
  if (!Array.isArray(raw)) return `message ${index} must be an array, got ${typeName(raw)}`;
  const tuple: readonly unknown[] = raw;
  const code = tuple[0];
  const type = typeof code === 'number' ? TYPE_BY_CODE[code] : undefined;
  if (type === undefined) return `message ${index}: unknown type code ${describe(code)}`;
  const expected = TUPLE_LENGTHS[type];
  const optional = OPTIONAL_TUPLE_ELEMENTS[type] ?? 0;
  if (tuple.length < expected || tuple.length > expected + optional) {
    const range = optional === 0 ? `${expected}` : `${expected} to ${expected + optional}`;
    return `message ${index} (${type}): expected ${range} elements, got ${tuple.length}`;
  }
  const parsed = parseTuple(type, tuple, (detail) => coordinateDropped(`message ${index} (${type}): coordinate ${detail}`));
  return typeof parsed === 'string' ? `message ${index} (${type}): ${parsed}` : parsed;
}

function parseTuple(type: MessageType, tuple: readonly unknown[], coordinateDropped: CoordinateDropped): Message | string {
  switch (type) {
    case 'ping':
      return parsePing(tuple, coordinateDropped);
    case 'ack':
    case 'nack':
      return parseSeqOnly(type, tuple, coordinateDropped);
    case 'ping-req':
      return parsePingReq(tuple);
    case 'alive':
      return parseAlive(tuple);
    case 'suspect':
    case 'failed':
      return parseAccusation(type, tuple);
    case 'left':
      return parseLeft(tuple);
    case 'sync':
      return parseSync(tuple);
    case 'state':
      return parseState(tuple);
    case 'buckets':
      return parseBuckets(tuple);
    case 'pull':
      return parsePull(tuple);
    case 'challenge':
      return parseChallenge(tuple);
    case 'introduce':
      return { type: 'introduce' };
    case 'key-request':
      return parseKeyRequest(tuple);
    case 'key-response':
      return parseKeyResponse(tuple);
    case 'user-event':
      return parseUserEvent(tuple);
    case 'event-clock':
      return parseEventClock(tuple);
    case 'forget':
      return parseForget(tuple);
    case 'query':
      return parseQuery(tuple);
    case 'query-ack':
      return parseQueryAck(tuple);
    case 'query-response':
      return parseQueryResponse(tuple);
  }
}

function parseUserEvent(tuple: readonly unknown[]): UserEvent | string {
  const [, origin, epoch, seq, ltime, name, payload, coalesce] = tuple;
  if (!isName(origin)) return nameProblem('origin', origin);
  if (!isUint32(epoch)) return uint32Problem('epoch', epoch);
  if (!isUint32(seq)) return uint32Problem('seq', seq);
  if (!isUint32(ltime)) return uint32Problem('ltime', ltime);
  if (!isEventName(name)) return eventNameProblem('name', name);
  if (!isPayload(payload, LIMITS.maxUserEventPayloadBytes)) return payloadProblem('payload', payload, LIMITS.maxUserEventPayloadBytes);
  if (typeof coalesce !== 'boolean') return booleanProblem('coalesce', coalesce);
  return { type: 'user-event', origin, epoch, seq, ltime, name, payload, coalesce };
}

function parseEventClock(tuple: readonly unknown[]): EventClock | string {
  const ltime = tuple[1];
  if (!isUint32(ltime)) return uint32Problem('ltime', ltime);
  return { type: 'event-clock', ltime };
}

function parseForget(tuple: readonly unknown[]): Forget | string {
  const name = tuple[1];
  const incarnation = tuple[2];
  if (!isName(name)) return nameProblem('name', name);
  if (!isIncarnation(incarnation)) return uint32Problem('incarnation', incarnation);
  return { type: 'forget', name, incarnation };
}

function parseQuery(tuple: readonly unknown[]): Query | string {
  const [, id, origin, host, port, name, payload, rawNodes, rawTags, timeoutMs] = tuple;
  if (!isUint32(id)) return uint32Problem('id', id);
  if (!isName(origin)) return nameProblem('origin', origin);
  const replyTo = parseAddress(host, port);
  if (typeof replyTo === 'string') return replyTo;
  if (!isEventName(name)) return eventNameProblem('name', name);
  if (!isPayload(payload, LIMITS.maxQueryPayloadBytes)) return payloadProblem('payload', payload, LIMITS.maxQueryPayloadBytes);
  if (!Array.isArray(rawNodes)) return `nodes must be an array, got ${typeName(rawNodes)}`;
  const list: readonly unknown[] = rawNodes;
  if (list.length > LIMITS.maxQueryNodes) return `nodes has ${list.length} entries (max ${LIMITS.maxQueryNodes})`;
  const nodes: Query['nodes'][number][] = [];
  for (let i = 0; i < list.length; i++) {
    const node = list[i];
    if (!isName(node)) return nameProblem(`nodes[${i}]`, node);
    nodes.push(node);
  }
  const tags = parseTags(rawTags);
  if (typeof tags === 'string') return tags;
  if (!isUint32(timeoutMs) || timeoutMs > LIMITS.maxQueryTimeoutMs) {
    return isUint32(timeoutMs) ? `timeoutMs ${timeoutMs} above ${LIMITS.maxQueryTimeoutMs}` : uint32Problem('timeoutMs', timeoutMs);
  }
  return { type: 'query', id, origin, replyTo, name, payload, nodes, tags, timeoutMs };
}

function parseQueryAck(tuple: readonly unknown[]): QueryAck | string {
  const id = tuple[1];
  const from = tuple[2];
  if (!isUint32(id)) return uint32Problem('id', id);
  if (!isName(from)) return nameProblem('from', from);
  return { type: 'query-ack', id, from };
}

function parseQueryResponse(tuple: readonly unknown[]): QueryResponse | string {
  const [, id, from, payload] = tuple;
  if (!isUint32(id)) return uint32Problem('id', id);
  if (!isName(from)) return nameProblem('from', from);
  if (!isPayload(payload, LIMITS.maxQueryResponseBytes)) return payloadProblem('payload', payload, LIMITS.maxQueryResponseBytes);
  return { type: 'query-response', id, from, payload };
}

function parsePing(tuple: readonly unknown[], coordinateDropped: CoordinateDropped): Ping | string {
  const seq = tuple[1];
  const target = tuple[2];
  if (!isSeqNo(seq)) return uint32Problem('seq', seq);
  if (!isName(target)) return nameProblem('target', target);
  if (tuple.length <= 3) return { type: 'ping', seq, target };
  // Anything but `true` is not a request we know: the ping is kept, answered without a coordinate.
  if (tuple[3] === true) return { type: 'ping', seq, target, wantsCoordinate: true };
  coordinateDropped(`request must be true, got ${typeName(tuple[3])}`);
  return { type: 'ping', seq, target };
}

function parseSeqOnly(type: 'ack' | 'nack', tuple: readonly unknown[], coordinateDropped: CoordinateDropped): Ack | Nack | string {
  const seq = tuple[1];
  if (!isSeqNo(seq)) return uint32Problem('seq', seq);
  if (type === 'nack') return { type: 'nack', seq };
  const coordinate = tuple.length > 2 ? parseCoordinate(tuple[2], coordinateDropped) : undefined;
  return coordinate === undefined ? { type: 'ack', seq } : { type: 'ack', seq, coordinate };
}

/**
 * A peer's coordinate, rebuilt from checked numbers, or undefined (the problem reported) when
 * it has the wrong shape or a number that is not finite or out of bounds: one bad coordinate
 * could otherwise poison our own (NaN spreads through every later update).
 */
function parseCoordinate(raw: unknown, coordinateDropped: CoordinateDropped): Coordinate | undefined {
  if (!Array.isArray(raw) || raw.length !== COORDINATE_TUPLE_LENGTH) {
    coordinateDropped(`must be an array of ${COORDINATE_TUPLE_LENGTH}, got ${Array.isArray(raw) ? `${raw.length} elements` : typeName(raw)}`);
    return undefined;
  }
  const tuple: readonly unknown[] = raw;
  const rawVec = tuple[0];
  if (!Array.isArray(rawVec)) {
    coordinateDropped(`vec must be an array, got ${typeName(rawVec)}`);
    return undefined;
  }
  const vecItems: readonly unknown[] = rawVec;
  if (vecItems.length !== LIMITS.coordinateDimensions) {
    coordinateDropped(`vec has ${vecItems.length} dimensions (expected ${LIMITS.coordinateDimensions})`);
    return undefined;
  }
  const vec: number[] = [];
  for (const x of vecItems) vec.push(isNumberWithin(x, -Infinity, Infinity) ? x : NaN);
  const [height, adjustment, error] = [tuple[1], tuple[2], tuple[3]].map((x) => (typeof x === 'number' ? x : NaN));
  const coordinate: Coordinate = { vec, height: height ?? NaN, adjustment: adjustment ?? NaN, error: error ?? NaN };
  const problem = coordinateProblem(coordinate, LIMITS.coordinateDimensions);
  if (problem === null) return coordinate;
  coordinateDropped(problem);
  return undefined;
}

function parseAddress(host: unknown, port: unknown): Address | string {
  if (!isHost(host)) return hostProblem('host', host);
  if (!isPort(port)) return portProblem('port', port);
  return { host, port };
}

function parsePingReq(tuple: readonly unknown[]): PingReq | string {
  const seq = tuple[1];
  const target = tuple[2];
  const host = tuple[3];
  const port = tuple[4];
  const wantNack = tuple[5];
  if (!isSeqNo(seq)) return uint32Problem('seq', seq);
  if (!isName(target)) return nameProblem('target', target);
  const targetAddr = parseAddress(host, port);
  if (typeof targetAddr === 'string') return targetAddr;
  if (typeof wantNack !== 'boolean') return booleanProblem('wantNack', wantNack);
  return { type: 'ping-req', seq, target, targetAddr, wantNack };
}

function parseAlive(tuple: readonly unknown[]): Alive | string {
  const name = tuple[1];
  const incarnation = tuple[2];
  const host = tuple[3];
  const port = tuple[4];
  const rawTags = tuple[5];
  if (!isName(name)) return nameProblem('name', name);
  if (!isIncarnation(incarnation)) return uint32Problem('incarnation', incarnation);
  const addr = parseAddress(host, port);
  if (typeof addr === 'string') return addr;
  const tags = parseTags(rawTags);
  if (typeof tags === 'string') return tags;
  return { type: 'alive', name, incarnation, addr, tags };
}

function parseAccusation(type: 'suspect' | 'failed', tuple: readonly unknown[]): Suspect | Failed | string {
  const name = tuple[1];
  const incarnation = tuple[2];
  const from = tuple[3];
  if (!isName(name)) return nameProblem('name', name);
  if (!isIncarnation(incarnation)) return uint32Problem('incarnation', incarnation);
  if (!isName(from)) return nameProblem('from', from);
  if (type === 'failed') return { type: 'failed', name, incarnation, from };
  if (tuple.length === 4) return { type: 'suspect', name, incarnation, from };
  const ageMs = tuple[4];
  if (!isUint32(ageMs)) return uint32Problem('ageMs', ageMs);
  return { type: 'suspect', name, incarnation, from, ageMs };
}

function parseLeft(tuple: readonly unknown[]): Left | string {
  const name = tuple[1];
  const incarnation = tuple[2];
  if (!isName(name)) return nameProblem('name', name);
  if (!isIncarnation(incarnation)) return uint32Problem('incarnation', incarnation);
  return { type: 'left', name, incarnation };
}

function parseState(tuple: readonly unknown[]): State | string {
  const full = tuple[1];
  const rawMembers = tuple[2];
  if (typeof full !== 'boolean') return booleanProblem('full', full);
  if (!Array.isArray(rawMembers)) return `members must be an array, got ${typeName(rawMembers)}`;
  const list: readonly unknown[] = rawMembers;
  if (list.length > LIMITS.maxStateMembersPerPacket) {
    return `${list.length} members (max ${LIMITS.maxStateMembersPerPacket})`;
  }
  const members: MemberState[] = [];
  for (let i = 0; i < list.length; i++) {
    const member = parseMember(list[i]);
    if (typeof member === 'string') return `member ${i}: ${member}`;
    members.push(member);
  }
  return { type: 'state', full, members };
}

function parseKeyRequest(tuple: readonly unknown[]): KeyRequest | string {
  const id = tuple[1];
  const opCode = tuple[2];
  const key = tuple[3];
  const sentAtS = tuple[4];
  const name = tuple[5];
  if (!isUint32(id)) return uint32Problem('id', id);
  const op = typeof opCode === 'number' ? KEY_OP_BY_CODE[opCode] : undefined;
  if (op === undefined) return `unknown key op code ${describe(opCode)}`;
  const keyProblem = checkKeyField(op, key);
  if (keyProblem !== null || typeof key !== 'string') return keyProblem ?? keyTextProblem('key', key);
  if (!isUint32(sentAtS)) return uint32Problem('sentAtS', sentAtS);
  if (!isName(name)) return nameProblem('name', name);
  return { type: 'key-request', id, op, key, sentAtS, name };
}

/** `list`, `enforce` and `relax` carry no key; the others exactly one well-formed key. Never echoes it: keys are secrets. */
function checkKeyField(op: KeyOp, key: unknown): string | null {
  if (op === 'list' || op === 'enforce' || op === 'relax') return key === '' ? null : `key must be empty for ${op}`;
  return isKeyText(key) ? null : keyTextProblem('key', key);
}

function parseKeyResponse(tuple: readonly unknown[]): KeyResponse | string {
  const id = tuple[1];
  const name = tuple[2];
  const ok = tuple[3];
  const error = tuple[4];
  const rawIds = tuple[5];
  const modeCode = tuple[6];
  if (!isUint32(id)) return uint32Problem('id', id);
  if (!isName(name)) return nameProblem('name', name);
  if (typeof ok !== 'boolean') return booleanProblem('ok', ok);
  if (!isKeyError(error)) return keyErrorProblem('error', error);
  if (!Array.isArray(rawIds)) return `keyIds must be an array, got ${typeName(rawIds)}`;
  const list: readonly unknown[] = rawIds;
  if (list.length > LIMITS.maxKeyringKeys) return `keyIds has ${list.length} entries (max ${LIMITS.maxKeyringKeys})`;
  const keyIds: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const keyId = list[i];
    if (!isKeyId(keyId)) return keyIdProblem(`keyIds[${i}]`, keyId);
    keyIds.push(keyId);
  }
  const mode = typeof modeCode === 'number' ? KEYRING_MODE_BY_CODE[modeCode] : undefined;
  if (mode === undefined) return `unknown keyring mode code ${describe(modeCode)}`;
  return { type: 'key-response', id, name, ok, error, keyIds, mode };
}

function parseMember(raw: unknown): MemberState | string {
  if (!Array.isArray(raw)) return `must be an array, got ${typeName(raw)}`;
  const tuple: readonly unknown[] = raw;
  if (tuple.length !== MEMBER_TUPLE_LENGTH) {
    return `expected ${MEMBER_TUPLE_LENGTH} elements, got ${tuple.length}`;
  }
  const name = tuple[0];
  const host = tuple[1];
  const port = tuple[2];
  const incarnation = tuple[3];
  const statusCode = tuple[4];
  const rawTags = tuple[5];
  if (!isName(name)) return nameProblem('name', name);
  const addr = parseAddress(host, port);
  if (typeof addr === 'string') return addr;
  if (!isIncarnation(incarnation)) return uint32Problem('incarnation', incarnation);
  const status = typeof statusCode === 'number' ? STATUS_BY_CODE[statusCode] : undefined;
  if (status === undefined) return `unknown status code ${describe(statusCode)}`;
  const tags = parseTags(rawTags);
  if (typeof tags === 'string') return tags;
  return { name, addr, incarnation, status, tags };
}

/**
 * A fresh plain object holding only checked entries. `__proto__` is defined, not assigned: an
 * assignment would run the prototype setter instead of creating an own property.
 */
function parseTags(raw: unknown): Tags | string {
  if (!(raw instanceof Map)) return `tags must be a map, got ${typeName(raw)}`;
  const map: ReadonlyMap<unknown, unknown> = raw;
  const countProblem = tagCountProblem(map.size);
  if (countProblem !== null) return countProblem;
  const tags: Record<string, string> = {};
  let bytes = mapHeaderBytes(map.size);
  for (const [key, value] of map) {
    if (typeof key !== 'string') return `tag key must be a string, got ${describe(key)}`;
    if (typeof value !== 'string') return `tag ${describe(key)} value must be a string, got ${describe(value)}`;
    const entry = tagEntryBytes(key, value);
    if (typeof entry === 'string') return entry;
    bytes += entry;
    if (key === '__proto__') {
      Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      tags[key] = value;
    }
  }
  return tagsSizeProblem(bytes) ?? tags;
}

/**
 * Why one of our own messages cannot be sent, or null. The same rules as decoding: a message
 * that passes here is never dropped by a peer, and one that fails would make every compound
 * packet that carries it (pings and acks included) be dropped whole.
 */
export function validateMessage(message: Message): string | null {
  switch (message.type) {
    case 'ping':
      return checkUint32('seq', message.seq) ?? checkName('target', message.target);
    case 'ack':
      return checkUint32('seq', message.seq) ?? checkCoordinate(message.coordinate);
    case 'nack':
      return checkUint32('seq', message.seq);
    case 'ping-req':
      return (
        checkUint32('seq', message.seq) ??
        checkName('target', message.target) ??
        checkAddress(message.targetAddr) ??
        checkBoolean('wantNack', message.wantNack)
      );
    case 'alive':
      return (
        checkName('name', message.name) ??
        checkUint32('incarnation', message.incarnation) ??
        checkAddress(message.addr) ??
        validateTags(message.tags)
      );
    case 'suspect':
      return (
        checkName('name', message.name) ??
        checkUint32('incarnation', message.incarnation) ??
        checkName('from', message.from) ??
        (message.ageMs === undefined ? null : checkUint32('ageMs', message.ageMs))
      );
    case 'failed':
      return (
        checkName('name', message.name) ??
        checkUint32('incarnation', message.incarnation) ??
        checkName('from', message.from)
      );
    case 'left':
      return checkName('name', message.name) ?? checkUint32('incarnation', message.incarnation);
    case 'sync':
      return checkSync(message);
    case 'state':
      return checkState(message);
    case 'buckets':
      return checkBuckets(message);
    case 'pull':
      return checkPull(message);
    case 'challenge':
      return checkChallenge(message);
    case 'introduce':
      return null;
    case 'key-request':
      return (
        checkUint32('id', message.id) ??
        (KEY_OP_BY_CODE.includes(message.op) ? null : `unknown key op ${describe(message.op)}`) ??
        checkKeyField(message.op, message.key) ??
        checkUint32('sentAtS', message.sentAtS) ??
        checkName('name', message.name)
      );
    case 'key-response':
      return checkKeyResponse(message);
    case 'user-event':
      return (
        checkName('origin', message.origin) ??
        checkUint32('epoch', message.epoch) ??
        checkUint32('seq', message.seq) ??
        checkUint32('ltime', message.ltime) ??
        (isEventName(message.name) ? null : eventNameProblem('name', message.name)) ??
        checkPayload(message.payload, LIMITS.maxUserEventPayloadBytes) ??
        checkBoolean('coalesce', message.coalesce)
      );
    case 'event-clock':
      return checkUint32('ltime', message.ltime);
    case 'forget':
      return checkName('name', message.name) ?? checkUint32('incarnation', message.incarnation);
    case 'query':
      return checkQuery(message);
    case 'query-ack':
      return checkUint32('id', message.id) ?? checkName('from', message.from);
    case 'query-response':
      return (
        checkUint32('id', message.id) ??
        checkName('from', message.from) ??
        checkPayload(message.payload, LIMITS.maxQueryResponseBytes)
      );
    default:
      return `unknown message type ${describe((message as { readonly type: unknown }).type)}`;
  }
}

function checkState(message: State): string | null {
  const problem = checkBoolean('full', message.full);
  if (problem !== null) return problem;
  if (message.members.length > LIMITS.maxStateMembersPerPacket) {
    return `${message.members.length} members (max ${LIMITS.maxStateMembersPerPacket})`;
  }
  for (let i = 0; i < message.members.length; i++) {
    const member = message.members[i];
    const memberProblem = member === undefined ? 'missing' : checkMember(member);
    if (memberProblem !== null) return `member ${i}: ${memberProblem}`;
  }
  return null;
}

function checkKeyResponse(message: KeyResponse): string | null {
  const problem =
    checkUint32('id', message.id) ??
    checkName('name', message.name) ??
    checkBoolean('ok', message.ok) ??
    (isKeyError(message.error) ? null : keyErrorProblem('error', message.error)) ??
    (KEYRING_MODE_BY_CODE.includes(message.mode) ? null : `unknown keyring mode ${describe(message.mode)}`);
  if (problem !== null) return problem;
  if (message.keyIds.length > LIMITS.maxKeyringKeys) {
    return `keyIds has ${message.keyIds.length} entries (max ${LIMITS.maxKeyringKeys})`;
  }
  const bad = message.keyIds.findIndex((keyId) => !isKeyId(keyId));
  return bad === -1 ? null : keyIdProblem(`keyIds[${bad}]`, message.keyIds[bad]);
}

function checkMember(member: MemberState): string | null {
  return (
    checkName('name', member.name) ??
    checkAddress(member.addr) ??
    checkUint32('incarnation', member.incarnation) ??
    (STATUS_BY_CODE.includes(member.status) ? null : `unknown status ${describe(member.status)}`) ??
    validateTags(member.tags)
  );
}

function checkQuery(message: Query): string | null {
  const problem =
    checkUint32('id', message.id) ??
    checkName('origin', message.origin) ??
    checkAddress(message.replyTo) ??
    (isEventName(message.name) ? null : eventNameProblem('name', message.name)) ??
    checkPayload(message.payload, LIMITS.maxQueryPayloadBytes) ??
    (message.nodes.length > LIMITS.maxQueryNodes ? `nodes has ${message.nodes.length} entries (max ${LIMITS.maxQueryNodes})` : null) ??
    validateTags(message.tags) ??
    checkUint32('timeoutMs', message.timeoutMs);
  if (problem !== null) return problem;
  if (message.timeoutMs > LIMITS.maxQueryTimeoutMs) return `timeoutMs ${message.timeoutMs} above ${LIMITS.maxQueryTimeoutMs}`;
  const bad = message.nodes.findIndex((node) => !isName(node));
  return bad === -1 ? null : nameProblem(`nodes[${bad}]`, message.nodes[bad]);
}

function checkPayload(payload: string, maxBytes: number): string | null {
  return isPayload(payload, maxBytes) ? null : payloadProblem('payload', payload, maxBytes);
}

function checkCoordinate(coordinate: Coordinate | undefined): string | null {
  if (coordinate === undefined) return null;
  const problem = coordinateProblem(coordinate, LIMITS.coordinateDimensions);
  return problem === null ? null : `coordinate ${problem}`;
}

function checkUint32(field: string, value: number): string | null {
  return isUint32(value) ? null : uint32Problem(field, value);
}

function checkName(field: string, value: string): string | null {
  return isName(value) ? null : nameProblem(field, value);
}

function checkBoolean(field: string, value: boolean): string | null {
  return typeof value === 'boolean' ? null : booleanProblem(field, value);
}

function checkAddress(addr: Address): string | null {
  if (!isHost(addr.host)) return hostProblem('host', addr.host);
  return isPort(addr.port) ? null : portProblem('port', addr.port);
}
