import { AntiEntropy } from './anti-entropy.js';
import type { Coordinate } from './coordinate.js';
import { NodeContext, type NodeDeps, type NodeIdentity } from './context.js';
import { Dissemination } from './dissemination.js';
import type { Effects } from './effects.js';
import type { MemberSnapshot } from './events.js';
import { Joiner } from './join.js';
import { isActive, type Member } from './member.js';
import type { Left, MemberState, Message } from './messages.js';
import type { ProtocolOptions } from './options.js';
import { Prober } from './probing.js';
import { randomInt } from './random.js';
import { Reaper } from './reap.js';
import { Reconnector } from './reconnect.js';
import { StallGate } from './stall-gate.js';
import type { DueTimer } from './timers.js';
import { addressKey, assertNever, nextIncarnation, nodeName, seqNo, type Address, type MemberStatus, type NodeName, type Tags } from './types.js';
import { Updates } from './updates.js';
import { UserEvents, type SentUserEvent } from './user-events.js';
import type { NodeView } from './view.js';

export type { NodeDeps, NodeIdentity } from './context.js';

/** What a user event asks of the shell, and how every member will know the event. */
export interface UserEventEffects extends Effects {
  readonly sent: SentUserEvent;
}

/**
 * Why a force-leave was refused: no such member, or one that is not failed (a live member
 * would refute; one that already left needs nothing).
 */
export type ForceLeaveRefusal = 'unknown-member' | 'not-failed' | 'self';

export interface ForceLeaveEffects extends Effects {
  readonly refused: ForceLeaveRefusal | null;
}

/** What join() asks of the shell, and the attempt id its `join-finished` event will carry. */
export interface JoinEffects extends Effects {
  readonly attempt: number;
}

/**
 * One gossipd member's protocol state machine: SWIM with the Lifeguard refinements.
 *
 * Pure: every input — receive(), tick() and the commands, each given the current time —
 * returns its Effects (datagrams to send, events, the next deadline). The work itself lives in
 * one part per concept (probing, updates, dissemination, anti-entropy, join, reconnect, reap);
 * this class only routes inputs to them. The daemon and the simulator run exactly this code.
 */
export class GossipNode implements NodeView {
  readonly name: NodeName;

  private readonly ctx: NodeContext;
  private readonly dissemination: Dissemination;
  private readonly updates: Updates;
  private readonly antiEntropy: AntiEntropy;
  private readonly joiner: Joiner;
  private readonly stallGate: StallGate;
  private readonly prober: Prober;
  private readonly reconnector: Reconnector;
  private readonly reaper: Reaper;
  private readonly userEvents: UserEvents;
  private started = false;

  constructor(options: ProtocolOptions, identity: NodeIdentity, deps: NodeDeps) {
    const ctx = new NodeContext(options, identity, deps);
    this.ctx = ctx;
    this.name = ctx.name;
    this.dissemination = new Dissemination(ctx, (update) => this.updates.freshen(update));
    this.updates = new Updates(ctx, this.dissemination, {
      tableGrew: () => this.antiEntropy.syncSoon(),
      heldFailed: () => this.antiEntropy.syncSoon(),
      failedRevived: (name) => this.antiEntropy.syncWithRevived(name),
      suspicionHeard: (name, originator) => this.prober.onSuspicionHeard(name, originator),
      stalledRecently: () => this.stallGate.stalledRecently(),
    });
    this.antiEntropy = new AntiEntropy(ctx, this.dissemination, this.updates, {
      joinChallenged: (from, members) => this.joiner.onChallenged(from, members),
      disputed: (name) => this.prober.checkDisputed(name),
    });
    this.joiner = new Joiner(ctx, this.dissemination, this.antiEntropy);
    this.stallGate = new StallGate(ctx);
    this.prober = new Prober(ctx, this.dissemination, this.updates, this.antiEntropy, this.stallGate);
    this.reconnector = new Reconnector(ctx, this.dissemination, this.joiner, this.antiEntropy);
    this.reaper = new Reaper(ctx);
    this.userEvents = new UserEvents(ctx, this.dissemination, identity.incarnation >>> 0);
  }

  // ─── Commands ────────────────────────────────────────────────────────────────────────────

  /** Starts the periodic work, each ticker at a random offset so members do not synchronise. */
  start(nowMs: number): Effects {
    return this.run(nowMs, () => {
      if (this.started) return;
      this.started = true;
      const ctx = this.ctx;
      ctx.table.setSince(ctx.self, nowMs);
      this.dissemination.enqueue(ctx.selfAlive());
      const o = ctx.options;
      ctx.timers.set('probe', '', nowMs + randomInt(ctx.random, o.probeIntervalMs));
      this.antiEntropy.planRegular(nowMs + o.pushPullIntervalMs / 2 + randomInt(ctx.random, o.pushPullIntervalMs));
      ctx.timers.set('reconnect', '', nowMs + o.reconnectIntervalMs + randomInt(ctx.random, o.reconnectIntervalMs));
      ctx.timers.set('reap', '', nowMs + this.reaper.checkIntervalMs());
    });
  }

  /**
   * Contacts seeds. With `retry`, an attempt that no seed answers is repeated with backoff, and
   * the seeds are tried again whenever we are alone. The returned attempt id is echoed by the
   * join-finished event, which may be among these very effects (no seed but ourselves).
   */
  join(seeds: readonly Address[], nowMs: number, retry = false): JoinEffects {
    let attempt = 0;
    const effects = this.run(nowMs, () => {
      this.userEvents.expectJoinClock();
      attempt = this.joiner.join(seeds, retry);
    });
    return { ...effects, attempt };
  }

  /**
   * Adds members known from elsewhere (a simulation that starts converged, a snapshot) without
   * gossiping them: the others are assumed to know them already.
   */
  restore(members: readonly MemberState[], nowMs: number): Effects {
    return this.run(nowMs, () => {
      const ctx = this.ctx;
      ctx.table.reserve(members.length);
      ctx.schedule.reserve(members.length);
      for (const state of members) {
        if (state.name === ctx.name || ctx.table.has(state.name)) continue;
        const member: Member = { ...state, sinceMs: nowMs, statusFrom: state.name };
        ctx.table.add(member, true);
        if (isActive(member.status)) ctx.schedule.insert(member.name);
        ctx.emitChanged(member, null);
      }
      // The first anti-entropy round was planned for a table of one: plan it for this size.
      this.antiEntropy.replan();
    });
  }

  /** Announces a graceful leave: `left` goes to the front of the queue and out at once. */
  leave(nowMs: number): Effects {
    return this.run(nowMs, () => {
      const ctx = this.ctx;
      if (ctx.leaving) return;
      ctx.leaving = true;
      ctx.table.setState(ctx.self, 'left', ctx.self.incarnation);
      ctx.table.setSince(ctx.self, nowMs);
      ctx.emitChanged(ctx.self, 'alive');
      this.prober.stop();
      if (ctx.table.activeCount === 0 && this.dissemination.targets(1).length === 0) {
        ctx.reportLeaveFinished();
        return;
      }
      const left: Left = { type: 'left', name: ctx.name, incarnation: ctx.self.incarnation };
      this.dissemination.enqueue(left, true);
      this.dissemination.gossip();
      // With a small retransmit limit (2 in the local profile) gossip alone can miss a member,
      // which then sees us go silent and marks us failed. A leave happens once: tell every live
      // member directly as well (one small datagram each).
      const table = ctx.table;
      for (let slot = 0; slot < table.size; slot++) {
        if (table.nameAt(slot) !== ctx.name && isActive(table.statusAt(slot))) ctx.send(table.addrAt(slot), [left]);
      }
    });
  }

  /** Publishes new tags with a higher incarnation. */
  setTags(tags: Tags, nowMs: number): Effects {
    return this.run(nowMs, () => {
      const ctx = this.ctx;
      ctx.table.setTags(ctx.self, tags);
      ctx.table.setState(ctx.self, ctx.self.status, nextIncarnation(ctx.self.incarnation));
      this.dissemination.enqueue(ctx.selfAlive(), true);
    });
  }

  /**
   * Sends a user event (`gossipd event`): delivered here at once, then gossiped to every member.
   * The caller checked name and payload against the codec's limits.
   */
  sendUserEvent(name: string, payload: string, coalesce: boolean, nowMs: number): UserEventEffects {
    let sent: SentUserEvent = { id: '', ltime: 0 };
    const effects = this.run(nowMs, () => {
      sent = this.userEvents.send(name, payload, coalesce);
    });
    return { ...effects, sent };
  }

  /**
   * `gossipd force-leave`: a failed member becomes `left` here and, by gossip, everywhere (a
   * `left` at its incarnation outranks `failed`); with `prune` it is forgotten at once
   * everywhere. A member that is not failed is refused: alive or suspect, it would refute.
   */
  forceLeave(name: NodeName, prune: boolean, nowMs: number): ForceLeaveEffects {
    let refused: ForceLeaveRefusal | null = null;
    const effects = this.run(nowMs, () => {
      const ctx = this.ctx;
      const member = ctx.table.get(name);
      if (name === ctx.name) refused = 'self';
      else if (member === undefined) refused = 'unknown-member';
      else if (isActive(member.status)) refused = 'not-failed';
      if (member === undefined || refused !== null) return;
      const left: Left = { type: 'left', name, incarnation: member.incarnation };
      if (member.status === 'failed') this.updates.onLeft(left);
      if (prune) this.updates.onForget({ type: 'forget', name, incarnation: member.incarnation });
      this.dissemination.gossip();
    });
    return { ...effects, refused };
  }

  /**
   * Tells the core the event loop was blocked for `delayMs` (Node's monitorEventLoopDelay):
   * a long delay raises local health and stops this node accusing anyone for a round.
   */
  noteLoopDelay(delayMs: number, nowMs: number): Effects {
    return this.run(nowMs, () => this.stallGate.noteLoopDelay(delayMs));
  }

  // ─── Inputs ──────────────────────────────────────────────────────────────────────────────

  /**
   * Handles one decoded datagram. Updates go first so an ack can carry our refutation. A source
   * that is no member's address (judged before the datagram's own updates) gets replies within
   * the anti-amplification limit, unless it shows a valid cookie.
   */
  receive(messages: readonly Message[], from: Address, nowMs: number): Effects {
    return this.run(nowMs, () => {
      const ctx = this.ctx;
      ctx.stats.packetsReceived++;
      if (!ctx.table.hasAddress(addressKey(from))) ctx.replyBudget.limit(from, ctx.datagramBytes(messages));
      try {
        for (const message of messages) this.applyUpdate(message, from);
        for (const message of messages) this.handle(message, from);
        this.userEvents.heardFromCluster();
      } finally {
        ctx.replyBudget.lift();
      }
    });
  }

  /** Runs every timer due at `nowMs`. */
  tick(nowMs: number): Effects {
    return this.run(nowMs, () => {
      const timers = this.ctx.timers;
      for (let due = timers.popDue(nowMs); due !== undefined; due = timers.popDue(nowMs)) this.fire(due);
    });
  }

  private applyUpdate(message: Message, from: Address): void {
    switch (message.type) {
      case 'alive':
        return this.updates.onAlive(message);
      case 'suspect':
        return this.updates.onSuspect(message, from);
      case 'failed':
        return this.updates.onFailed(message, from);
      case 'left':
        return this.updates.onLeft(message);
      case 'forget':
        return this.updates.onForget(message);
      default:
        return;
    }
  }

  private handle(message: Message, from: Address): void {
    switch (message.type) {
      case 'ping':
        return this.prober.onPing(message, from);
      case 'ack':
        if (!this.prober.onAck(message, from)) this.updates.onCheckAck(message.seq);
        return;
      case 'nack':
        return this.prober.onNack(message);
      case 'ping-req':
        return this.prober.onPingReq(message, from);
      case 'sync':
        return this.antiEntropy.onSync(message, from, message.join ? this.userEvents.clockForJoiner() : undefined);
      case 'state':
        this.joiner.onStateFrom(from);
        return this.antiEntropy.onState(message, from);
      case 'challenge':
        return this.antiEntropy.onChallenge(message, from);
      case 'buckets':
        return this.antiEntropy.onBuckets(message, from);
      case 'pull':
        return this.antiEntropy.onPull(message, from);
      case 'introduce':
        return this.antiEntropy.onIntroduce(from);
      case 'alive':
      case 'suspect':
      case 'failed':
      case 'left':
      case 'forget':
        return; // applied first, by applyUpdate
      case 'user-event':
        return this.userEvents.onUserEvent(message);
      case 'event-clock':
        return this.userEvents.onEventClock(message);
      case 'key-request':
      case 'key-response':
        return; // keyring operations belong to the agent (src/agent/key-ops.ts), not to membership
      case 'query':
      case 'query-ack':
      case 'query-response':
        return; // queries run commands and wait on them: the agent's (src/agent/queries.ts)
      default:
        assertNever(message);
    }
  }

  private fire(due: DueTimer): void {
    if (this.stallGate.holdsBack(due.kind, due.key, due.atMs)) return;
    switch (due.kind) {
      case 'probe':
        return this.prober.onProbeTimer();
      case 'probe-timeout':
        return this.prober.onProbeTimeout();
      case 'relay':
        return this.prober.onRelayExpired(seqNo(Number(due.key)));
      case 'check-timeout':
        return this.prober.onCheckTimeout(seqNo(Number(due.key)));
      case 'check-end':
        return this.prober.onCheckEnd(seqNo(Number(due.key)));
      case 'gossip':
        return this.dissemination.onGossipTimer();
      case 'suspicion':
        return this.updates.suspicionExpired(nodeName(due.key));
      case 'sync':
        return this.antiEntropy.onSyncTimer();
      case 'sync-retry':
        return this.antiEntropy.onRetryTimer(due.key);
      case 'join-window':
        return this.joiner.onWindowClosed(Number(due.key));
      case 'join-retry':
        return this.joiner.onRetryTimer();
      case 'reconnect':
        return this.reconnector.onReconnectTimer();
      case 'reap':
        return this.reaper.onReapTimer();
      case 'event-hold':
        return this.userEvents.onHoldExpired(nodeName(due.key));
      default:
        assertNever(due.kind);
    }
  }

  /** Every input goes through here: set the time, do the work, hand back what it produced. */
  private run(nowMs: number, work: () => void): Effects {
    this.ctx.nowMs = nowMs;
    work();
    return this.ctx.outbox.drain(this.ctx.timers.nextDeadlineMs());
  }

  // ─── Queries (NodeView) ──────────────────────────────────────────────────────────────────

  get stats(): NodeView['stats'] {
    return this.ctx.stats;
  }

  get membershipVersion(): number {
    return this.ctx.table.version;
  }

  memberCounts(): Record<MemberStatus, number> {
    const table = this.ctx.table;
    return { alive: table.count('alive'), suspect: table.count('suspect'), failed: table.count('failed'), left: table.count('left') };
  }

  // The table hands out fresh copies of its rows: they are snapshots already.
  members(): MemberSnapshot[] {
    return this.ctx.table.all();
  }

  member(name: NodeName): MemberSnapshot | undefined {
    return this.ctx.table.get(name);
  }

  get selfMember(): MemberSnapshot {
    return this.ctx.self;
  }

  get healthScore(): number {
    return this.ctx.awareness.healthScore;
  }

  get isLeaving(): boolean {
    return this.ctx.leaving;
  }

  get queueDepth(): number {
    return this.ctx.queue.size;
  }

  get updatesDropped(): number {
    return this.ctx.queue.dropped;
  }

  /** User events waiting to be gossiped. */
  get eventQueueDepth(): number {
    return this.ctx.eventQueue.size;
  }

  /** The user-event Lamport clock and what this member did with the events it heard. */
  get userEventStats(): { readonly lamportTime: number; readonly delivered: number; readonly duplicates: number; readonly skipped: number } {
    const u = this.userEvents;
    return { lamportTime: u.lamportTime, delivered: u.delivered, duplicates: u.duplicates, skipped: u.skipped };
  }

  get activeMembers(): number {
    return this.ctx.table.activeCount;
  }

  get coordinate(): Coordinate {
    return this.ctx.coordinates.own;
  }

  get coordinateStats(): NodeView['coordinateStats'] {
    return this.ctx.coordinates.stats;
  }

  coordinateOf(name: NodeName): Coordinate | undefined {
    return name === this.ctx.name ? this.ctx.coordinates.own : this.ctx.coordinates.of(name);
  }

  coordinates(): Array<{ readonly name: NodeName; readonly coordinate: Coordinate }> {
    const list = [{ name: this.ctx.name, coordinate: this.ctx.coordinates.own }];
    for (const [name, coordinate] of this.ctx.coordinates.peerEntries()) list.push({ name, coordinate });
    return list;
  }

  /** Whether some member in our table (any status) uses this address, given as its addressKey. */
  isMemberAddress(key: string): boolean {
    return this.ctx.table.hasAddress(key);
  }
}
