/** A member's unique name in the cluster (by default the host name). */
export type NodeName = string;

/**
 * A member's incarnation number: only the member itself raises it, to refute a suspicion
 * (SWIM §4.2). Unsigned 32-bit on the wire; a fresh start takes the wall clock in seconds.
 */
export type Incarnation = number;

/** Where a member receives gossip: an IP address (or host name) and a UDP port. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

export const MEMBER_STATUSES = ['alive', 'suspect', 'failed', 'left'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

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
