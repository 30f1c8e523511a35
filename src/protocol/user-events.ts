import type { NodeContext } from './context.js';
import type { Dissemination } from './dissemination.js';
import { PROTOCOL_LIMITS } from './limits.js';
import type { EventClock, UserEvent } from './messages.js';
import type { NodeName } from './types.js';

/** What the origin gets back for an event it sent: how receivers will know it. */
export interface SentUserEvent {
  /** `origin/epoch/seq`: unique per event, the same string on every member. */
  readonly id: string;
  readonly ltime: number;
}

/** What this member knows of one origin's ordered (non-coalescing) events. */
interface OriginState {
  /** The origin's life (its starting incarnation): a restart starts its numbering again. */
  epoch: number;
  /**
   * The next event number to deliver. Numbering starts at 1, so an origin first heard at event
   * 5 (we just joined, or it is new) holds 5 for the hold time in case 1–4 are still coming.
   */
  next: number;
  /** Events that arrived ahead of a missing earlier one, by number. */
  readonly held: Map<number, UserEvent>;
}

/**
 * The id every member gives one event: `origin/epoch/seq`, or `origin/epoch/cLTIME` for a
 * coalescing event (which has no number of its own).
 */
export function userEventId(event: Pick<UserEvent, 'origin' | 'epoch' | 'seq' | 'ltime' | 'coalesce'>): string {
  return event.coalesce ? `${event.origin}/${event.epoch}/c${event.ltime}` : `${event.origin}/${event.epoch}/${event.seq}`;
}

/**
 * User events (Serf's `serf event`), in the pure core: a Lamport clock, per-origin ordering and
 * de-duplication, and gossip on the node's own event queue.
 *
 * Each origin numbers its events 1, 2, 3… within one life (`epoch`, its starting incarnation).
 * A receiver delivers an origin's events in that order, each once: one that arrives ahead of a
 * missing earlier one is held for a few gossip rounds (the earlier one is normally a round
 * behind on another path), then delivered with the gap skipped. Every member re-gossips what it
 * had not seen, with its own transmit limit, so an event reaches everyone within a few rounds.
 *
 * Coalescing events (`--coalesce`) stand outside that order: only the latest (by Lamport time)
 * of a name from one origin matters, so one is delivered if it is newer than the last of its
 * name delivered, and a newer one replaces an older one in every queue while in flight.
 *
 * A joiner asks its seed for the event clock (`event-clock`) and ignores events older than it:
 * a member that joins later does not replay old events (Serf's join-ignore).
 */
export class UserEvents {
  /** Lamport clock: above the time of every event sent or seen. */
  private clock = 0;
  private ownSeq = 0;
  /** Events below this Lamport time predate our join and are not delivered. */
  private minLtime = 0;
  private awaitingJoinClock = false;
  private readonly origins = new Map<NodeName, OriginState>();
  /** (origin, name) → { epoch, ltime } of the latest coalescing event delivered. */
  private readonly latestCoalesced = new Map<string, { epoch: number; ltime: number }>();
  /** ids of events seen, oldest first: the last guard against a copy once its origin was forgotten. */
  private readonly seen = new Set<string>();
  delivered = 0;
  duplicates = 0;
  /** Events not delivered: older than our join, gaps skipped, or a coalescing one already superseded. */
  skipped = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly dissemination: Dissemination,
    /** Our life: the starting incarnation, which only grows from one start to the next. */
    private readonly epoch: number,
  ) {}

  get lamportTime(): number {
    return this.clock;
  }

  /** Sends a user event: delivered here at once, then gossiped. */
  send(name: string, payload: string, coalesce: boolean): SentUserEvent {
    const ctx = this.ctx;
    const ltime = this.clock;
    this.clock = Math.min(this.clock + 1, PROTOCOL_LIMITS.maxUint32);
    const seq = coalesce ? 0 : ++this.ownSeq;
    const event: UserEvent = { type: 'user-event', origin: ctx.name, epoch: this.epoch, seq, ltime, name, payload, coalesce };
    if (coalesce) this.latestCoalesced.set(coalesceKey(event), { epoch: this.epoch, ltime });
    else this.originState(ctx.name, this.epoch).next = seq + 1;
    this.remember(event);
    this.deliver(event);
    this.dissemination.enqueueEvent(event);
    return { id: userEventId(event), ltime };
  }

  /** The join command: the first event clock a seed sends back sets where our history starts. */
  expectJoinClock(): void {
    this.awaitingJoinClock = true;
  }

  /**
   * A member asked to join through us: our event clock, which rides with the challenge that
   * answers its first join sync. That is when we learned of it and began gossiping to it, so
   * every event we send later comes after the clock it takes. (Sent again beside the answer to
   * the join's second sync, which shows the cookie, the clock could cover events already
   * gossiped to the joiner, which it then skipped: seed 3 of 20 members at 10 % loss,
   * bench/results/2026-12-02/user-event-reach/.)
   * Undefined while no event was ever seen: nothing to skip.
   */
  clockForJoiner(): EventClock | undefined {
    return this.clock === 0 ? undefined : { type: 'event-clock', ltime: this.clock };
  }

  onEventClock(message: EventClock): void {
    if (!this.awaitingJoinClock) return;
    this.awaitingJoinClock = false;
    this.minLtime = Math.max(this.minLtime, message.ltime);
    // A clock value, not an event's time: ours catches up to it (events we send then come after).
    this.clock = Math.max(this.clock, message.ltime);
  }

  /**
   * A datagram from another member was handled. A seed's clock comes in the first datagram it
   * sends us (with its challenge); once any datagram has come, we are in the cluster and hear
   * its events, and a clock that comes later belongs to a resent exchange: it could cover events
   * already gossiped to us, which we would then skip (seed 15 of 20 members at 10 % loss: the
   * join sync was lost, the member joined through gossip, and the resent sync's clock came
   * 260 ms later).
   */
  heardFromCluster(): void {
    this.awaitingJoinClock = false;
  }

  onUserEvent(event: UserEvent): void {
    if (this.seen.has(userEventId(event)) || event.origin === this.ctx.name) {
      this.duplicates++;
      return;
    }
    if (event.coalesce) return this.onCoalescing(event);
    const state = this.originState(event.origin, event.epoch);
    if (state.epoch > event.epoch || event.seq < state.next || state.held.has(event.seq)) {
      // An earlier life of the origin, or a number already delivered or skipped: a late copy.
      this.duplicates++;
      return;
    }
    this.remember(event);
    this.witness(event.ltime);
    this.dissemination.enqueueEvent(event);
    state.held.set(event.seq, event);
    this.drain(event.origin, state);
    if (state.held.size > PROTOCOL_LIMITS.maxHeldUserEventsPerOrigin) this.skipGap(event.origin, state);
    else if (state.held.size > 0 && !this.ctx.timers.isSet('event-hold', event.origin)) {
      const holdMs = this.ctx.options.gossipIntervalMs * PROTOCOL_LIMITS.userEventHoldGossipIntervals;
      this.ctx.timers.set('event-hold', event.origin, this.ctx.nowMs + holdMs);
    }
  }

  /** The hold of an origin's early events ran out: the missing ones are given up. */
  onHoldExpired(origin: NodeName): void {
    const state = this.origins.get(origin);
    if (state !== undefined) this.skipGap(origin, state);
  }

  private onCoalescing(event: UserEvent): void {
    const key = coalesceKey(event);
    const latest = this.latestCoalesced.get(key);
    if (latest !== undefined && (latest.epoch > event.epoch || (latest.epoch === event.epoch && latest.ltime >= event.ltime))) {
      this.duplicates++;
      return;
    }
    this.remember(event);
    this.witness(event.ltime);
    this.dissemination.enqueueEvent(event);
    this.latestCoalesced.delete(key);
    this.latestCoalesced.set(key, { epoch: event.epoch, ltime: event.ltime });
    trim(this.latestCoalesced, PROTOCOL_LIMITS.maxUserEventOrigins);
    this.deliver(event);
  }

  /** Delivers the origin's held events that are next in line. */
  private drain(origin: NodeName, state: OriginState): void {
    for (let event = state.held.get(state.next); event !== undefined; event = state.held.get(state.next)) {
      state.held.delete(state.next);
      state.next++;
      this.deliver(event);
    }
    if (state.held.size === 0) this.ctx.timers.cancel('event-hold', origin);
  }

  /** Gives up on the missing event(s) before the earliest held one. */
  private skipGap(origin: NodeName, state: OriginState): void {
    let earliest = Infinity;
    for (const seq of state.held.keys()) earliest = Math.min(earliest, seq);
    if (earliest === Infinity) return;
    this.skipped += earliest - state.next;
    state.next = earliest;
    this.drain(origin, state);
    if (state.held.size > 0) {
      const holdMs = this.ctx.options.gossipIntervalMs * PROTOCOL_LIMITS.userEventHoldGossipIntervals;
      this.ctx.timers.set('event-hold', origin, this.ctx.nowMs + holdMs);
    }
  }

  private deliver(event: UserEvent): void {
    if (event.origin !== this.ctx.name && event.ltime < this.minLtime) {
      this.skipped++;
      return;
    }
    this.delivered++;
    this.ctx.emit({
      type: 'user-event',
      id: userEventId(event),
      origin: event.origin,
      ltime: event.ltime,
      name: event.name,
      payload: event.payload,
      coalesce: event.coalesce,
    });
  }

  private originState(origin: NodeName, epoch: number): OriginState {
    let state = this.origins.get(origin);
    if (state === undefined || state.epoch < epoch) {
      if (state !== undefined) this.ctx.timers.cancel('event-hold', origin);
      state = { epoch, next: 1, held: new Map() };
    }
    // Most recently heard last, so the least recently heard is forgotten first.
    this.origins.delete(origin);
    this.origins.set(origin, state);
    const oldest = this.origins.size > PROTOCOL_LIMITS.maxUserEventOrigins ? this.origins.keys().next().value : undefined;
    if (oldest !== undefined) {
      this.origins.delete(oldest);
      this.ctx.timers.cancel('event-hold', oldest);
    }
    return state;
  }

  private remember(event: UserEvent): void {
    this.seen.add(userEventId(event));
    trim(this.seen, PROTOCOL_LIMITS.maxSeenUserEvents);
  }

  private witness(ltime: number): void {
    if (ltime >= this.clock) this.clock = Math.min(ltime + 1, PROTOCOL_LIMITS.maxUint32);
  }
}

function coalesceKey(event: Pick<UserEvent, 'origin' | 'name'>): string {
  return `${event.origin}\u0000${event.name}`;
}

/** Drops the oldest entries (insertion order) beyond `max`. */
function trim(collection: Set<string> | Map<string, unknown>, max: number): void {
  while (collection.size > max) {
    const oldest = collection.keys().next().value;
    if (oldest === undefined) return;
    collection.delete(oldest);
  }
}
