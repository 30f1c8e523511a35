import type { MembershipEvent } from './membership-event.js';

/** The variables an --on-event command gets about its event; every one is always set ("" when it does not apply). */
export const EVENT_ENV_NAMES = [
  'GOSSIPD_EVENT',
  'GOSSIPD_EVENT_ID',
  'GOSSIPD_EVENT_TIME',
  'GOSSIPD_MEMBER',
  'GOSSIPD_MEMBER_ADDR',
  'GOSSIPD_STATUS',
  'GOSSIPD_PREVIOUS_STATUS',
  'GOSSIPD_BY',
  'GOSSIPD_INCARNATION',
  'GOSSIPD_TAGS',
  'GOSSIPD_ACCUSATION',
  'GOSSIPD_USER_EVENT',
  'GOSSIPD_USER_EVENT_LTIME',
] as const;
export type EventEnvName = (typeof EVENT_ENV_NAMES)[number];

/**
 * One event as environment variables. All are set even when empty, so a value inherited from
 * the agent's own environment can never pass for a field of this event.
 */
export function eventEnv(event: MembershipEvent): Record<EventEnvName, string> {
  const env: Record<EventEnvName, string> = {
    GOSSIPD_EVENT: event.type,
    GOSSIPD_EVENT_ID: String(event.id),
    GOSSIPD_EVENT_TIME: event.time,
    GOSSIPD_MEMBER: event.member,
    GOSSIPD_MEMBER_ADDR: '',
    GOSSIPD_STATUS: '',
    GOSSIPD_PREVIOUS_STATUS: '',
    GOSSIPD_BY: '',
    GOSSIPD_INCARNATION: '',
    GOSSIPD_TAGS: '',
    GOSSIPD_ACCUSATION: '',
    GOSSIPD_USER_EVENT: '',
    GOSSIPD_USER_EVENT_LTIME: '',
  };
  switch (event.type) {
    case 'member-reap':
      return env;
    case 'user-event':
      // GOSSIPD_MEMBER is the sender; the payload itself comes on stdin.
      return { ...env, GOSSIPD_USER_EVENT: event.name, GOSSIPD_USER_EVENT_LTIME: String(event.ltime) };
    case 'refute':
      return { ...env, GOSSIPD_STATUS: 'alive', GOSSIPD_INCARNATION: String(event.incarnation), GOSSIPD_ACCUSATION: event.accusation };
    default:
      return {
        ...env,
        GOSSIPD_MEMBER_ADDR: event.addr,
        GOSSIPD_STATUS: event.status,
        GOSSIPD_PREVIOUS_STATUS: event.previous ?? '',
        GOSSIPD_BY: event.by,
        GOSSIPD_INCARNATION: String(event.incarnation),
        GOSSIPD_TAGS: JSON.stringify(event.tags),
      };
  }
}
