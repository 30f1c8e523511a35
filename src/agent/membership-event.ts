import type { NodeEvent } from '../protocol/events.js';
import { addressKey, type MemberStatus, type Tags } from '../protocol/types.js';

/**
 * Every event a watcher (GET /v1/events), an --on-event hook or a --webhook can see. One
 * vocabulary everywhere: the SSE `event:` field, the JSON `type`, GOSSIPD_EVENT and the names
 * --on-event takes are the same words.
 */
export const MEMBERSHIP_EVENT_TYPES = [
  'member-join',
  'member-alive',
  'member-suspect',
  'member-failed',
  'member-leave',
  'member-update',
  'member-reap',
  'refute',
  'user-event',
] as const;
export type MembershipEventType = (typeof MEMBERSHIP_EVENT_TYPES)[number];

/** The events about a member's row: they carry its whole record after the change. */
export type MemberChangeType = Exclude<MembershipEventType, 'member-reap' | 'refute' | 'user-event'>;

interface EventCommon {
  /** Increases by one per event; the blocking-query index and the SSE `id:` (see EventLog). */
  readonly id: number;
  /** ISO-8601 wall-clock time at which this agent saw it. */
  readonly time: string;
}

export interface MemberChangeEvent extends EventCommon {
  readonly type: MemberChangeType;
  readonly member: string;
  /** host:port of the member's gossip address. */
  readonly addr: string;
  readonly status: MemberStatus;
  /** The status before; null when this agent did not know the member. */
  readonly previous: MemberStatus | null;
  readonly incarnation: number;
  /** Who caused it: the suspecter, the member that declared it failed, or the member itself. */
  readonly by: string;
  readonly tags: Tags;
}

/** A failed or left member was forgotten after --reap-timeout. */
export interface MemberReapEvent extends EventCommon {
  readonly type: 'member-reap';
  readonly member: string;
}

/** This agent heard an accusation about itself and answered it with a higher incarnation. */
export interface RefuteEvent extends EventCommon {
  readonly type: 'refute';
  /** This agent's own name. */
  readonly member: string;
  readonly accusation: 'suspect' | 'failed' | 'left' | 'alive';
  /** The incarnation it refuted with. */
  readonly incarnation: number;
}

/** A user event (`gossipd event NAME PAYLOAD`) sent by `member`, delivered here once. */
export interface UserEventEvent extends EventCommon {
  readonly type: 'user-event';
  /** The member that sent it (its origin). */
  readonly member: string;
  /** The event's name, as given to `gossipd event`. */
  readonly name: string;
  /** UTF-8 text, possibly empty. */
  readonly payload: string;
  /** The origin's Lamport time when it sent the event: each origin's events arrive in this order. */
  readonly ltime: number;
  /** `origin/epoch/seq`: the same on every member (the `id` POST /v1/user-events answered). */
  readonly eventId: string;
  readonly coalesce: boolean;
}

export type MembershipEvent = MemberChangeEvent | MemberReapEvent | RefuteEvent | UserEventEvent;

type WithoutStamp<E> = E extends MembershipEvent ? Omit<E, 'id' | 'time'> : never;
/** An event before the log stamps it with its id and time. */
export type EventBody = WithoutStamp<MembershipEvent>;

export function isMembershipEventType(text: string): text is MembershipEventType {
  return (MEMBERSHIP_EVENT_TYPES as readonly string[]).includes(text);
}

/**
 * The membership event a core event stands for, or null for the core's bookkeeping (join
 * attempts, leave progress, gated suspicions, name conflicts), which changes no member.
 */
export function membershipEventOf(event: NodeEvent, selfName: string): EventBody | null {
  switch (event.type) {
    case 'member-changed': {
      const { member, previous } = event;
      return {
        type: changeType(previous, member.status),
        member: member.name,
        addr: addressKey(member.addr),
        status: member.status,
        previous,
        incarnation: member.incarnation,
        by: member.statusFrom,
        tags: member.tags,
      };
    }
    case 'member-reaped':
      return { type: 'member-reap', member: event.name };
    case 'refuted':
      return { type: 'refute', member: selfName, accusation: event.accusation, incarnation: event.incarnation };
    case 'user-event':
      return {
        type: 'user-event',
        member: event.origin,
        name: event.name,
        payload: event.payload,
        ltime: event.ltime,
        eventId: event.id,
        coalesce: event.coalesce,
      };
    case 'address-conflict':
    case 'suspicion-gated':
    case 'join-finished':
    case 'leave-finished':
      return null;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * `member-alive` is the recovery of a member this agent had written off or doubted (suspect
 * or failed → alive), the counterpart of `member-failed` for failover scripts. A member that
 * had left and comes back, like one never seen, is a `member-join`. Same status again means
 * its address or tags changed.
 */
export function changeType(previous: MemberStatus | null, status: MemberStatus): MemberChangeType {
  if (previous === null) return 'member-join';
  if (previous === status) return 'member-update';
  switch (status) {
    case 'alive':
      return previous === 'left' ? 'member-join' : 'member-alive';
    case 'suspect':
      return 'member-suspect';
    case 'failed':
      return 'member-failed';
    case 'left':
      return 'member-leave';
    default: {
      const unhandled: never = status;
      throw new Error(`unhandled status ${String(unhandled)}`);
    }
  }
}
