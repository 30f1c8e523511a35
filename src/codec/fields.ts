import type { Incarnation, NodeName, SeqNo, Tags } from '../protocol/types.js';
import { LIMITS } from './limits.js';
import { mapHeaderBytes, strBytesFromLength } from './sizes.js';
import { TEXT_CONTROL, TEXT_UNPAIRED_SURROGATE, codePointLabel, firstBadCharIndex, scanText } from './text.js';

/**
 * Field checks shared by decode (untrusted values from msgpackr) and encode (our own typed
 * messages). Each field has a fast type guard for the hot path and a `…Problem` function that
 * explains a failure; the explanation re-scans, which is fine because it runs once per drop.
 */

export function isUint32(value: unknown): value is number {
  return typeof value === 'number' && value >>> 0 === value;
}

/** An incarnation on the wire is a u32; checked, it is one. */
export function isIncarnation(value: unknown): value is Incarnation {
  return isUint32(value);
}

export function isSeqNo(value: unknown): value is SeqNo {
  return isUint32(value);
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && value >>> 0 === value && value >= LIMITS.minPort && value <= LIMITS.maxPort;
}

export function isName(value: unknown): value is NodeName {
  return typeof value === 'string' && value.length > 0 && scanText(value, LIMITS.maxNameBytes, false) > 0;
}

/**
 * Hosts are IP literals or DNS names (IDNs in punycode), so printable ASCII is all a host can
 * legitimately hold; refusing the rest also rules out Unicode whitespace and bidi tricks in logs.
 */
export function isHost(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.maxHostChars) return false;
  return firstNonPrintableAscii(value) === -1;
}

function firstNonPrintableAscii(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f) return i;
  }
  return -1;
}

const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const KEY_ID = /^[0-9a-f]{16}$/;

/** The text form of a 32-byte key: 44 base64 characters, the last one padding. */
export function isKeyText(value: unknown): value is string {
  return typeof value === 'string' && value.length === LIMITS.keyTextChars && BASE64_KEY.test(value);
}

export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && value.length === LIMITS.keyIdChars && KEY_ID.test(value);
}

/** A refusal reason: short printable text, possibly empty. */
export function isKeyError(value: unknown): value is string {
  return typeof value === 'string' && scanText(value, LIMITS.maxKeyErrorBytes, false) >= 0;
}

/** Says what is wrong with a key without showing it: a near-miss may still be a secret. */
export function keyTextProblem(field: string, value: unknown): string {
  if (typeof value !== 'string') return `${field} must be a string, got ${typeName(value)}`;
  const expected = `${LIMITS.keyTextChars} characters ending in "="`;
  return `${field} is not a base64 key of 32 bytes (${expected}; got ${value.length} characters)`;
}

export function keyIdProblem(field: string, value: unknown): string {
  if (typeof value !== 'string') return `${field} must be a string, got ${describe(value)}`;
  return `${field} ${describe(value)} is not ${LIMITS.keyIdChars} lowercase hex digits`;
}

export function keyErrorProblem(field: string, value: unknown): string {
  if (typeof value !== 'string') return `${field} must be a string, got ${describe(value)}`;
  return textProblem(field, value, LIMITS.maxKeyErrorBytes, false);
}

/** A short, log-safe description of an untrusted value. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return quote(value);
    default:
      return typeName(value);
  }
}

export function typeName(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map) return 'map';
  return typeof value;
}

/** JSON-quoted (so control characters are escaped) and cut to keep details short. */
function quote(text: string): string {
  const shown = text.length > 32 ? `${text.slice(0, 32)}…` : text;
  return JSON.stringify(shown);
}

export function uint32Problem(field: string, value: unknown): string {
  if (typeof value !== 'number') return `${field} must be an unsigned integer, got ${describe(value)}`;
  if (!Number.isInteger(value)) return `${field} ${value} is not an integer`;
  return `${field} ${value} out of range 0..${LIMITS.maxUint32}`;
}

export function portProblem(field: string, value: unknown): string {
  if (typeof value !== 'number') return `${field} must be an integer, got ${describe(value)}`;
  if (!Number.isInteger(value)) return `${field} ${value} is not an integer`;
  return `${field} ${value} out of range ${LIMITS.minPort}..${LIMITS.maxPort}`;
}

export function booleanProblem(field: string, value: unknown): string {
  return `${field} must be a boolean, got ${describe(value)}`;
}

export function nameProblem(field: string, value: unknown): string {
  if (typeof value !== 'string') return `${field} must be a string, got ${describe(value)}`;
  return textProblem(field, value, LIMITS.maxNameBytes, false);
}

export function hostProblem(field: string, value: unknown): string {
  if (typeof value !== 'string') return `${field} must be a string, got ${describe(value)}`;
  if (value.length === 0) return `${field} is empty`;
  if (value.length > LIMITS.maxHostChars) {
    return `${field} is ${value.length} characters (max ${LIMITS.maxHostChars})`;
  }
  const index = firstNonPrintableAscii(value);
  const char = codePointLabel(value, index);
  return `${field} contains whitespace, control or non-ASCII character ${char} at index ${index}`;
}

/** Why `text` failed `scanText(text, maxBytes, allowControl)` (or was empty where it may not be). */
function textProblem(label: string, text: string, maxBytes: number, allowControl: boolean): string {
  const bytes = scanText(text, Number.MAX_SAFE_INTEGER, allowControl);
  if (bytes === TEXT_CONTROL || bytes === TEXT_UNPAIRED_SURROGATE) {
    const index = firstBadCharIndex(text, allowControl);
    const what = bytes === TEXT_CONTROL ? `control character ${codePointLabel(text, index)}` : 'an unpaired surrogate';
    return `${label} contains ${what} at index ${index}`;
  }
  if (bytes === 0) return `${label} is empty`;
  return `${label} is ${bytes} UTF-8 bytes (max ${maxBytes})`;
}

/** Encoded bytes of one tag (key and value with their headers), or why it is refused. */
export function tagEntryBytes(key: string, value: string): number | string {
  const keyBytes = scanText(key, LIMITS.maxTagKeyBytes, false);
  if (keyBytes < 1) return textProblem(`tag key ${quote(key)}`, key, LIMITS.maxTagKeyBytes, false);
  // Values are free text (control characters allowed); only unpaired surrogates cannot round-trip.
  const valueBytes = scanText(value, LIMITS.maxTagValueBytes, true);
  if (valueBytes < 0) return textProblem(`tag ${quote(key)} value`, value, LIMITS.maxTagValueBytes, true);
  return strBytesFromLength(keyBytes) + strBytesFromLength(valueBytes);
}

export function tagCountProblem(count: number): string | null {
  return count > LIMITS.maxTagCount ? `tags has ${count} keys (max ${LIMITS.maxTagCount})` : null;
}

export function tagsSizeProblem(bytes: number): string | null {
  return bytes > LIMITS.maxTagsBytes ? `tags encode to ${bytes} bytes (max ${LIMITS.maxTagsBytes})` : null;
}

/**
 * Why `tags` cannot be sent, or null. The config module uses this to refuse oversized `--tag`s
 * up front, so a node never advertises an `alive` its peers would drop.
 */
export function validateTags(tags: Tags): string | null {
  if (typeof tags !== 'object' || tags === null) return `tags must be an object, got ${describe(tags)}`;
  const keys = Object.keys(tags);
  const countProblem = tagCountProblem(keys.length);
  if (countProblem !== null) return countProblem;
  let bytes = mapHeaderBytes(keys.length);
  for (const key of keys) {
    const value: unknown = tags[key];
    if (typeof value !== 'string') return `tag ${quote(key)} value must be a string, got ${describe(value)}`;
    const entry = tagEntryBytes(key, value);
    if (typeof entry === 'string') return entry;
    bytes += entry;
  }
  return tagsSizeProblem(bytes);
}

/** Why `name` cannot be a member name (also `target`, `from`), or null. */
export function validateName(name: string, field = 'name'): string | null {
  return isName(name) ? null : nameProblem(field, name);
}

/** Why `host` cannot be an address host, or null. */
export function validateHost(host: string, field = 'host'): string | null {
  return isHost(host) ? null : hostProblem(field, host);
}

/** Why `port` cannot be an address port, or null. */
export function validatePort(port: number, field = 'port'): string | null {
  return isPort(port) ? null : portProblem(field, port);
}

/** A user event's or a query's name: 1..maxEventNameBytes of UTF-8, no control characters. */
export function isEventName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && scanText(value, LIMITS.maxEventNameBytes, false) > 0;
}

export function eventNameProblem(field: string, value: unknown): string {
  if (typeof value !== 'string') return `${field} must be a string, got ${describe(value)}`;
  return textProblem(field, value, LIMITS.maxEventNameBytes, false);
}

/** Free UTF-8 text of at most `maxBytes` (may be empty; newlines and other controls allowed). */
export function isPayload(value: unknown, maxBytes: number): value is string {
  return typeof value === 'string' && scanText(value, maxBytes, true) >= 0;
}

export function payloadProblem(field: string, value: unknown, maxBytes: number): string {
  if (typeof value !== 'string') return `${field} must be a string, got ${describe(value)}`;
  return textProblem(field, value, maxBytes, true);
}

/** Why `name` cannot name a user event or a query, or null. */
export function validateEventName(name: string, field = 'name'): string | null {
  return isEventName(name) ? null : eventNameProblem(field, name);
}

/** Why `payload` cannot be sent within `maxBytes`, or null. */
export function validatePayload(payload: string, maxBytes: number, field = 'payload'): string | null {
  return isPayload(payload, maxBytes) ? null : payloadProblem(field, payload, maxBytes);
}
