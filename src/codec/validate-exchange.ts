import type { BucketPart, Buckets, Challenge, Pull, Sync } from '../protocol/messages.js';
import { booleanProblem, describe, isUint32, typeName, uint32Problem } from './fields.js';
import { LIMITS } from './limits.js';

/**
 * The anti-entropy exchange's messages (sync, challenge, buckets, pull), both ways: untrusted
 * tuple -> typed message (parse…) and our own typed message -> problem or null (check…).
 * A bucket count is a power of two from 1 to LIMITS.maxBucketCount; a message holds at most
 * LIMITS.maxDigestBuckets sums or indices; indices are distinct, ascending and below the count.
 */

export function parseSync(tuple: readonly unknown[]): Sync | string {
  const [, digest, members, join, nonce, cookie] = tuple;
  if (!isUint32(digest)) return uint32Problem('digest', digest);
  if (!isUint32(members)) return uint32Problem('members', members);
  if (typeof join !== 'boolean') return booleanProblem('join', join);
  if (tuple.length === 4) return { type: 'sync', digest, members, join };
  if (!isUint32(nonce)) return uint32Problem('nonce', nonce);
  if (tuple.length === 5) return { type: 'sync', digest, members, join, nonce };
  if (!isUint32(cookie)) return uint32Problem('cookie', cookie);
  return { type: 'sync', digest, members, join, nonce, cookie };
}

export function parseChallenge(tuple: readonly unknown[]): Challenge | string {
  const [, nonce, cookie, members] = tuple;
  if (!isUint32(nonce)) return uint32Problem('nonce', nonce);
  if (!isUint32(cookie)) return uint32Problem('cookie', cookie);
  if (!isUint32(members)) return uint32Problem('members', members);
  return { type: 'challenge', nonce, cookie, members };
}

export function parseBuckets(tuple: readonly unknown[]): Buckets | string {
  const [, nonce, rawSums, count, offset] = tuple;
  if (!isUint32(nonce)) return uint32Problem('nonce', nonce);
  const sums = uintList('sums', rawSums);
  if (typeof sums === 'string') return sums;
  if (tuple.length === 3) return checkBucketCount('sums length', sums.length) ?? { type: 'buckets', nonce, sums };
  if (tuple.length !== 5) return 'a part needs both count and offset';
  if (!isUint32(count)) return uint32Problem('count', count);
  if (!isUint32(offset)) return uint32Problem('offset', offset);
  const buckets: Buckets = { type: 'buckets', nonce, sums, part: { count, offset } };
  return checkBuckets(buckets) ?? buckets;
}

export function parsePull(tuple: readonly unknown[]): Pull | string {
  const [, cookie, bucketCount, rawIndices, nonce, offset] = tuple;
  if (!isUint32(cookie)) return uint32Problem('cookie', cookie);
  if (!isUint32(bucketCount)) return uint32Problem('bucketCount', bucketCount);
  const indices = uintList('indices', rawIndices);
  if (typeof indices === 'string') return indices;
  if (tuple.length === 5) return 'a next part needs both nonce and offset';
  if (tuple.length === 6 && !isUint32(nonce)) return uint32Problem('nonce', nonce);
  if (tuple.length === 6 && !isUint32(offset)) return uint32Problem('offset', offset);
  const pull: Pull =
    tuple.length === 6 ? { type: 'pull', cookie, bucketCount, indices, next: { nonce: nonce as number, offset: offset as number } } : { type: 'pull', cookie, bucketCount, indices };
  return checkPull(pull) ?? pull;
}

export function checkSync(message: Sync): string | null {
  return (
    checkUint32('digest', message.digest) ??
    checkUint32('members', message.members) ??
    (typeof message.join === 'boolean' ? null : booleanProblem('join', message.join)) ??
    (message.nonce === undefined ? null : checkUint32('nonce', message.nonce)) ??
    (message.cookie === undefined ? null : checkUint32('cookie', message.cookie))
  );
}

export function checkChallenge(message: Challenge): string | null {
  return checkUint32('nonce', message.nonce) ?? checkUint32('cookie', message.cookie) ?? checkUint32('members', message.members);
}

export function checkBuckets(message: Buckets): string | null {
  const problem =
    checkUint32('nonce', message.nonce) ??
    tooLong('sums', message.sums.length) ??
    (message.part === undefined ? checkBucketCount('sums length', message.sums.length) : checkPart(message.part, message.sums.length));
  if (problem !== null) return problem;
  const bad = message.sums.findIndex((sum) => !isUint32(sum));
  return bad === -1 ? null : uint32Problem(`sums[${bad}]`, message.sums[bad]);
}

/** A part holds at least one sum, all of them below its count. */
function checkPart(part: BucketPart, length: number): string | null {
  const problem = checkBucketCount('count', part.count) ?? checkUint32('offset', part.offset);
  if (problem !== null) return problem;
  if (length === 0) return 'a part of the sums holds none';
  if (part.offset + length > part.count) return `sums ${part.offset}..${part.offset + length - 1} out of range 0..${part.count - 1}`;
  return null;
}

export function checkPull(message: Pull): string | null {
  const problem = checkUint32('cookie', message.cookie) ?? checkBucketCount('bucketCount', message.bucketCount);
  if (problem !== null) return problem;
  const long = tooLong('indices', message.indices.length);
  if (long !== null) return long;
  if (message.indices.length > message.bucketCount) return `${message.indices.length} indices for ${message.bucketCount} buckets`;
  let previous = -1;
  for (let i = 0; i < message.indices.length; i++) {
    const index = message.indices[i];
    if (!isUint32(index)) return uint32Problem(`indices[${i}]`, index);
    if (index >= message.bucketCount) return `indices[${i}] ${index} out of range 0..${message.bucketCount - 1}`;
    if (index <= previous) return `indices[${i}] ${index} is not above the one before it (${previous})`;
    previous = index;
  }
  if (message.next === undefined) return null;
  const nextProblem = checkUint32('next nonce', message.next.nonce) ?? checkUint32('next offset', message.next.offset);
  if (nextProblem !== null) return nextProblem;
  return message.next.offset < message.bucketCount ? null : `next offset ${message.next.offset} out of range 0..${message.bucketCount - 1}`;
}

/** A power of two from 1 to LIMITS.maxBucketCount. */
function checkBucketCount(field: string, count: number): string | null {
  const max = LIMITS.maxBucketCount;
  if (!Number.isInteger(count) || count < 1 || count > max || (count & (count - 1)) !== 0) {
    return `${field} ${describe(count)} is not a power of two from 1 to ${max}`;
  }
  return null;
}

/** More sums or indices than one message may hold (LIMITS.maxDigestBuckets). */
function tooLong(field: string, length: number): string | null {
  return length > LIMITS.maxDigestBuckets ? `${field} has ${length} entries (max ${LIMITS.maxDigestBuckets})` : null;
}

/** An array of at most maxDigestBuckets u32 values, rebuilt from checked values only. */
function uintList(field: string, raw: unknown): number[] | string {
  if (!Array.isArray(raw)) return `${field} must be an array, got ${typeName(raw)}`;
  const list: readonly unknown[] = raw;
  const long = tooLong(field, list.length);
  if (long !== null) return long;
  const values: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const value = list[i];
    if (!isUint32(value)) return uint32Problem(`${field}[${i}]`, value);
    values.push(value);
  }
  return values;
}

function checkUint32(field: string, value: number): string | null {
  return isUint32(value) ? null : uint32Problem(field, value);
}
