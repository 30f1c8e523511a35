import type { Member } from './member.js';
import type { Address, Incarnation, MemberStatus, NodeName } from './types.js';

/** A member's row at the moment of an event: rows are read as copies already (Member). */
export type MemberSnapshot = Member;

/** What the core tells its shell. The shell logs them, the simulator measures them. */
export type NodeEvent =
  /** A member appeared (previous null), changed status, or changed address or tags. */
  | {
      readonly type: 'member-changed';
      readonly member: MemberSnapshot;
      readonly previous: MemberStatus | null;
    }
  /** A failed or left member was forgotten after reapTimeout. */
  | { readonly type: 'member-reaped'; readonly name: NodeName }
  /** Someone claims a live member's name from another address; the claim was ignored. */
  | { readonly type: 'address-conflict'; readonly name: NodeName; readonly held: Address; readonly claimed: Address }
  /** We heard an accusation about ourselves and answered with a higher incarnation. */
  | {
      readonly type: 'refuted';
      readonly accusation: 'suspect' | 'failed' | 'left' | 'alive';
      readonly incarnation: Incarnation;
    }
  /** A missed probe did not become a suspicion because our own event loop had just stalled. */
  | { readonly type: 'suspicion-gated'; readonly target: NodeName }
  /** A join attempt ended: how many of its seeds answered. */
  | { readonly type: 'join-finished'; readonly attempt: number; readonly joined: number; readonly seeds: number }
  /** Our leave has been sent the full number of times (spread) or the wait timed out. */
  | { readonly type: 'leave-finished'; readonly spread: boolean }
  /** A user event reached this member (once per event; an origin's events in order). */
  | {
      readonly type: 'user-event';
      readonly id: string;
      readonly origin: NodeName;
      readonly ltime: number;
      readonly name: string;
      readonly payload: string;
      readonly coalesce: boolean;
    };

export type NodeEventType = NodeEvent['type'];
