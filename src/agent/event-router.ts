import type { Logger } from 'pino';
import type { MemberSnapshot, NodeEvent } from '../protocol/events.js';
import { addressKey, assertNever, type MemberStatus } from '../protocol/types.js';
import type { EventLog } from './event-log.js';
import { membershipEventOf } from './membership-event.js';
import type { StatusTransitions } from './transitions.js';
import { NO_SEED_ANSWERED } from '../config/join-hint.js';


export interface EventRouterDeps {
  readonly name: string;
  readonly log: Logger;
  /** Watchers, hooks and webhooks read membership events from here. */
  readonly events: EventLog;
  readonly transitions: StatusTransitions;
  /** Something a snapshot holds changed (a member, our incarnation). */
  readonly snapshotChanged: () => void;
}

/**
 * Where each event of the core goes in the agent: the membership event log (and through it
 * watchers, hooks and webhooks), the snapshot, the metrics' transition counts and the logs.
 */
export class EventRouter {
  constructor(private readonly deps: EventRouterDeps) {}

  route(event: NodeEvent): void {
    const { log, name } = this.deps;
    const membershipEvent = membershipEventOf(event, name);
    if (membershipEvent !== null) this.deps.events.append(membershipEvent);
    if (event.type === 'member-changed' || event.type === 'member-reaped' || event.type === 'refuted') this.deps.snapshotChanged();
    switch (event.type) {
      case 'member-changed':
        this.deps.transitions.note(event.previous, event.member.status);
        this.logMemberChange(event.member, event.previous);
        return;
      case 'member-reaped':
        log.info({ member: event.name }, 'member reaped');
        return;
      case 'address-conflict':
        if (event.name === name) {
          log.warn(
            { member: event.name, ours: addressKey(event.held), theirs: addressKey(event.claimed) },
            "name conflict: another agent uses this agent's name at another address; give each agent a unique --name",
          );
          return;
        }
        log.warn(
          { member: event.name, held: addressKey(event.held), claimed: addressKey(event.claimed) },
          'name conflict: a live member already holds this name at another address',
        );
        return;
      case 'refuted':
        log.info({ accusation: event.accusation, incarnation: event.incarnation }, 'refuted an accusation about self');
        return;
      case 'suspicion-gated':
        log.info({ member: event.target }, 'missed probe not turned into a suspicion: local event loop stalled');
        return;
      case 'join-finished':
        if (event.joined === 0 && event.seeds > 0) {
          // An enforced cluster drops a keyless agent's datagrams without a word: say so here.
          log.warn({ joined: 0, seeds: event.seeds }, NO_SEED_ANSWERED);
        } else {
          log.info({ joined: event.joined, seeds: event.seeds }, 'join attempt finished');
        }
        return;
      case 'leave-finished':
        return;
      case 'user-event':
        // At info, as Serf logs "Received event: user-event: NAME": an operator sees what arrived.
        log.info({ member: event.origin, event: event.name, ltime: event.ltime, id: event.id }, 'user event received');
        return;
      default:
        assertNever(event);
    }
  }

  private logMemberChange(member: MemberSnapshot, previous: MemberStatus | null): void {
    const fields = {
      member: member.name,
      from: previous ?? 'none',
      to: member.status,
      by: member.statusFrom,
      addr: addressKey(member.addr),
      incarnation: member.incarnation,
    };
    if (previous === member.status) this.deps.log.info(fields, 'member updated');
    else this.deps.log.info(fields, `member ${member.status}`);
  }
}
