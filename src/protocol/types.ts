import { PROTOCOL_LIMITS } from './limits.js';

declare const brand: unique symbol;
/** `T` at run time, but not interchangeable with other `T`s: the compiler keeps names, incarnations and sequence numbers apart. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A member's unique name in the cluster (by default the host name). */
export type NodeName = Brand<string, 'NodeName'>;

/**
 * A member's incarnation number: only the member itself raises it, to refute a suspicion
 * (SWIM §4.2). Unsigned 32-bit on the wire; a fresh start takes the wall clock in seconds.
 */
export type Incarnation = Brand<number, 'Incarnation'>;

/** A member name from text already validated (the codec, the config): the one way in. */
export function nodeName(text: string): NodeName {
  return text as NodeName;
}

/** An incarnation from a number already checked to be an unsigned 32-bit integer. */
export function incarnation(value: number): Incarnation {
  return value as Incarnation;
}

/** A sequence number from a number already checked to be an unsigned 32-bit integer. */
export function seqNo(value: number): SeqNo {
  return value as SeqNo;
}

/** The incarnation after `incarnation`, saturating at the wire's maximum instead of overflowing. */
export function nextIncarnation(current: Incarnation): Incarnation {
  return Math.min(PROTOCOL_LIMITS.maxUint32, current + 1) as Incarnation;
}

/** A probe's sequence number, echoed by its ack or nack. Unsigned 32-bit on the wire. */
export type SeqNo = Brand<number, 'SeqNo'>;

/** Where a member receives gossip: an IP address (or host name) and a UDP port. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * Member statuses, weakest first: at equal incarnation a later one overrides an earlier one
 * (SWIM §4.2, refined: `left` outranks `failed`, so a member whose leave raced a failure shows
 * as having left). The one place this order is written.
 */
export const MEMBER_STATUSES = ['alive', 'suspect', 'failed', 'left'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** A status's position in MEMBER_STATUSES: its precedence, and its code in digests. */
export const STATUS_RANK = Object.fromEntries(MEMBER_STATUSES.map((status, rank) => [status, rank])) as Readonly<
  Record<MemberStatus, number>
>;

/** String tags (role, zone, service port…) published in every `alive`. */
export type Tags = Readonly<Record<string, string>>;

export function addressKey(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.host === b.host && a.port === b.port;
}

export function isMemberStatus(value: unknown): value is MemberStatus {
  return typeof value === 'string' && (MEMBER_STATUSES as readonly string[]).includes(value);
}

/** Tags compared by content: the same keys with the same values. */
export function sameTags(a: Tags, b: Tags): boolean {
  if (a === b) return true;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => a[key] === b[key]);
}

/** The exhaustiveness check of a switch over a union: reaching it is a programmer error. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
