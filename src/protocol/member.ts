import { STATUS_RANK, type Address, type Incarnation, type MemberStatus, type NodeName, type Tags } from './types.js';

/**
 * One row of the membership table, as read from it: a copy, so a row is changed only
 * through the table's methods (Membership), and compared by name, not by object.
 */
export interface Member {
  readonly name: NodeName;
  readonly addr: Address;
  readonly incarnation: Incarnation;
  readonly status: MemberStatus;
  readonly tags: Tags;
  /** When this node saw the status change (core time, ms). */
  readonly sinceMs: number;
  /** Who caused the last change: the suspecter, the one that declared it failed, or the member itself. */
  readonly statusFrom: NodeName;
}

/**
 * Whether an update (status, incarnation) about a member overrides what we hold.
 * Higher incarnation wins; at equal incarnation the stronger status wins. An `alive` never
 * overrides at equal incarnation: only the member itself can clear a suspicion, by refuting
 * with a higher number.
 */
export function overrides(
  incoming: { readonly status: MemberStatus; readonly incarnation: Incarnation },
  held: { readonly status: MemberStatus; readonly incarnation: Incarnation },
): boolean {
  if (incoming.incarnation !== held.incarnation) return incoming.incarnation > held.incarnation;
  return STATUS_RANK[incoming.status] > STATUS_RANK[held.status];
}

/** Members that take part in the protocol: probed, counted in n, chosen for gossip. */
export function isActive(status: MemberStatus): boolean {
  return status === 'alive' || status === 'suspect';
}
