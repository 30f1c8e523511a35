import { Awareness } from './awareness.js';
import { BroadcastQueue, retransmitLimit } from './broadcast-queue.js';
import type { MemberSnapshot, NodeEvent } from './events.js';
import { isActive, overrides, type Member } from './member.js';
import { Membership } from './membership.js';
import type {
  Ack,
  Alive,
  Failed,
  Left,
  MemberState,
  Message,
  Nack,
  Ping,
  PingReq,
  State,
  Suspect,
  Sync,
  UpdateMessage,
} from './messages.js';
import { scaledPushPullIntervalMs, type ProtocolOptions } from './options.js';
import { ProbeOrder } from './probe-order.js';
import { randomInt, sample, type Random } from './random.js';
import { NodeStats } from './stats.js';
import { Suspicion, suspicionBounds } from './suspicion.js';
import { TimerQueue, type DueTimer } from './timers.js';
import { addressKey, sameAddress, type Address, type Incarnation, type NodeName, type Tags } from './types.js';

/** Who this node is when it starts. */
export interface NodeIdentity {
  readonly name: NodeName;
  /** The address other members reach us at (the advertise address). */
  readonly addr: Address;
  readonly tags: Tags;
  /** Starting incarnation: the wall clock in seconds, so a restart beats our old record. */
  readonly incarnation: Incarnation;
}

/** What the core needs from outside: randomness, message sizes, and somewhere to send. */
export interface NodeDeps {
  readonly random: Random;
  /** Exact encoded size of one message (from the codec), to fill packets up to maxPacketBytes. */
  readonly messageSize: (message: Message) => number;
  /** Bytes a datagram adds around its messages (header, array framing). */
  readonly packetOverheadBytes: number;
  /** Sends one datagram holding these messages. */
  readonly send: (to: Address, messages: readonly Message[]) => void;
  readonly onEvent?: (event: NodeEvent) => void;
}

interface PendingProbe {
  readonly seq: number;
  readonly target: NodeName;
  readonly startedMs: number;
  acked: boolean;
  expectedNacks: number;
  nacks: number;
}

interface Relay {
  readonly requester: Address;
  readonly requesterSeq: number;
  readonly wantNack: boolean;
}

interface JoinAttempt {
  readonly id: number;
  readonly seeds: Map<string, { readonly addr: Address; answered: boolean }>;
  /** Startup joins retry with backoff until a seed answers; operator joins do not. */
  readonly retry: boolean;
}

/** Timers that fire this much later than planned mean our own process stalled (GC, SIGSTOP, overload). */
const STALL_TOLERANCE_MIN_MS = 50;
/** After a stall, a late protocol timer waits this long so packets queued meanwhile are read first. */
const STALL_GRACE_MS = 20;
/** Bound on ping-reqs we relay at once: a flood of requests cannot grow memory. */
const MAX_RELAYS = 256;
/** Join retry backoff: 1 s, 2 s, 4 s … capped at 30 s. */
const JOIN_RETRY_BASE_MS = 1000;
const JOIN_RETRY_MAX_MS = 30_000;
/** Incarnations are unsigned 32-bit on the wire. */
const MAX_INCARNATION = 0xffff_ffff;
/** Slack left in a state packet for msgpack array headers. */
const STATE_FRAMING_BYTES = 8;

/**
 * One gossipd member's protocol state machine: SWIM with the Lifeguard refinements.
 *
 * Pure: inputs are receive(), tick() and commands, each given the current time; outputs are
 * datagrams through deps.send and events through deps.onEvent. The shell calls tick() at
 * nextDeadlineMs(). The daemon and the simulator run exactly this code.
 */
export class GossipNode {
  readonly name: NodeName;
  readonly stats = new NodeStats();

  private readonly table = new Membership();
  private readonly queue = new BroadcastQueue();
  private readonly timers = new TimerQueue();
  private readonly awareness: Awareness;
  private readonly order: ProbeOrder;
  private readonly suspicions = new Map<NodeName, Suspicion>();
  private readonly relays = new Map<number, Relay>();
  private readonly joins = new Map<number, JoinAttempt>();
  private readonly self: Member;
  private readonly stallToleranceMs: number;

  private seq = 0;
  private joinCounter = 0;
  private probe: PendingProbe | undefined;
  private lastStallMs = -Infinity;
  private lastSyncMs = -Infinity;
  /** When a ping from an unknown address last got our digest (see onPing). */
  private lastStrangerSyncMs = -Infinity;
  /** Time of the input being handled: every entry point is given it. */
  private nowMs = 0;
  private seeds: Address[] = [];
  private joinRetryMs = JOIN_RETRY_BASE_MS;
  private leaving = false;
  private leaveReported = false;
  private started = false;

  constructor(
    private readonly options: ProtocolOptions,
    identity: NodeIdentity,
    private readonly deps: NodeDeps,
  ) {
    this.name = identity.name;
    this.awareness = new Awareness(options.awarenessMaxMultiplier);
    this.order = new ProbeOrder(deps.random);
    this.stallToleranceMs = Math.max(STALL_TOLERANCE_MIN_MS, options.probeTimeoutMs / 2);
    this.self = {
      name: identity.name,
      addr: identity.addr,
      incarnation: identity.incarnation >>> 0,
      status: 'alive',
      tags: identity.tags,
      sinceMs: 0,
      statusFrom: identity.name,
    };
    this.table.add(this.self);
  }

  // ─── Commands ────────────────────────────────────────────────────────────────────────────

  /** Starts the periodic work, each ticker at a random offset so members do not synchronise. */
  start(nowMs: number): void {
    this.nowMs = nowMs;
    if (this.started) return;
    this.started = true;
    this.self.sinceMs = nowMs;
    this.enqueueUpdate(this.selfAlive(), false);
    const o = this.options;
    this.timers.set('probe', '', nowMs + randomInt(this.deps.random, o.probeIntervalMs));
    this.timers.set('sync', '', nowMs + o.pushPullIntervalMs / 2 + randomInt(this.deps.random, o.pushPullIntervalMs));
    this.timers.set('reconnect', '', nowMs + o.reconnectIntervalMs + randomInt(this.deps.random, o.reconnectIntervalMs));
    this.timers.set('reap', '', nowMs + this.reapCheckIntervalMs());
  }

  /**
   * Contacts seeds: a join-flagged digest to each, answered with the seed's full table.
   * Returns the attempt id echoed by the join-finished event. With `retry`, an attempt that no
   * seed answers is repeated with backoff, and the seeds are tried again whenever we are alone.
   */
  join(seeds: readonly Address[], nowMs: number, retry = false): number {
    this.nowMs = nowMs;
    const id = ++this.joinCounter;
    const attempt: JoinAttempt = { id, seeds: new Map(), retry };
    for (const addr of seeds) {
      if (sameAddress(addr, this.self.addr)) continue;
      attempt.seeds.set(addressKey(addr), { addr, answered: false });
    }
    if (retry) this.seeds = [...attempt.seeds.values()].map((s) => s.addr);
    if (attempt.seeds.size === 0) {
      this.emit({ type: 'join-finished', attempt: id, joined: 0, seeds: 0 });
      return id;
    }
    this.joins.set(id, attempt);
    this.sendJoinSyncs(attempt);
    this.timers.set('join-window', String(id), nowMs + this.joinWindowMs());
    return id;
  }

  /**
   * Adds members known from elsewhere (a simulation that starts converged, a snapshot) without
   * gossiping them: the others are assumed to know them already.
   */
  restore(members: readonly MemberState[], nowMs: number): void {
    this.nowMs = nowMs;
    for (const state of members) {
      if (state.name === this.name || this.table.get(state.name) !== undefined) continue;
      const member: Member = { ...state, sinceMs: nowMs, statusFrom: state.name };
      this.table.add(member);
      if (isActive(member.status)) this.order.insert(member.name);
      this.emitChanged(member, null);
    }
    // The first anti-entropy round was planned for a table of one: plan it for this size.
    this.timers.set('sync', '', nowMs + randomInt(this.deps.random, this.pushPullIntervalMs()));
  }

  /** Announces a graceful leave: `left` goes to the front of the queue and out at once. */
  leave(nowMs: number): void {
    this.nowMs = nowMs;
    if (this.leaving) return;
    this.leaving = true;
    this.table.setState(this.self, 'left', this.self.incarnation);
    this.self.sinceMs = nowMs;
    this.emitChanged(this.self, 'alive');
    this.timers.cancel('probe', '');
    this.probe = undefined;
    if (this.table.activeCount === 0 && this.gossipTargets(nowMs, 1).length === 0) {
      this.emit({ type: 'leave-finished', spread: true });
      return;
    }
    const left: Left = { type: 'left', name: this.name, incarnation: this.self.incarnation };
    this.enqueueUpdate(left, true);
    this.gossip(nowMs);
    // With a small retransmit limit (2 in the local profile) gossip alone can miss a member,
    // which then sees us go silent and marks us failed. A leave happens once: tell every live
    // member directly as well (one small datagram each).
    for (const member of this.table.all()) {
      if (member !== this.self && isActive(member.status)) this.send(member.addr, [left]);
    }
  }

  /** Publishes new tags with a higher incarnation. */
  setTags(tags: Tags, nowMs: number): void {
    this.nowMs = nowMs;
    this.self.tags = tags;
    this.table.setState(this.self, this.self.status, Math.min(MAX_INCARNATION, this.self.incarnation + 1));
    this.enqueueUpdate(this.selfAlive(), true);
  }

  /**
   * Tells the core the event loop was blocked for `delayMs` (Node's monitorEventLoopDelay):
   * a long delay raises local health and stops this node accusing anyone for a round.
   */
  noteLoopDelay(delayMs: number, nowMs: number): void {
    this.nowMs = nowMs;
    if (delayMs > this.stallToleranceMs) this.noteStall(nowMs);
  }

  // ─── Inputs ──────────────────────────────────────────────────────────────────────────────

  /** Handles one decoded datagram. Updates go first so an ack can carry our refutation. */
  receive(messages: readonly Message[], from: Address, nowMs: number): void {
    this.nowMs = nowMs;
    this.stats.packetsReceived++;
    for (const message of messages) {
      switch (message.type) {
        case 'alive':
          this.onAlive(message, nowMs);
          break;
        case 'suspect':
          this.onSuspect(message, nowMs, from);
          break;
        case 'failed':
          this.onFailed(message, nowMs, from);
          break;
        case 'left':
          this.onLeft(message, nowMs);
          break;
        default:
          break;
      }
    }
    for (const message of messages) {
      switch (message.type) {
        case 'ping':
          this.onPing(message, from);
          break;
        case 'ack':
          this.onAck(message, nowMs);
          break;
        case 'nack':
          this.onNack(message);
          break;
        case 'ping-req':
          this.onPingReq(message, from, nowMs);
          break;
        case 'sync':
          this.onSync(message, from);
          break;
        case 'state':
          this.onState(message, from, nowMs);
          break;
        case 'alive':
        case 'suspect':
        case 'failed':
        case 'left':
          break;
        case 'key-request':
        case 'key-response':
          // Keyring operations belong to the agent (src/agent/key-ops.ts), not to membership.
          break;
        default:
          assertNever(message);
      }
    }
  }

  /** Runs every timer due at `nowMs`. */
  tick(nowMs: number): void {
    this.nowMs = nowMs;
    for (let due = this.timers.popDue(nowMs); due !== undefined; due = this.timers.popDue(nowMs)) {
      this.fire(due, nowMs);
    }
  }

  nextDeadlineMs(): number {
    return this.timers.nextDeadlineMs();
  }

  // ─── Queries ─────────────────────────────────────────────────────────────────────────────

  /** Changes whenever any member's record does (see Membership.version). */
  get membershipVersion(): number {
    return this.table.version;
  }

  members(): MemberSnapshot[] {
    return this.table.all().map(snapshot);
  }

  member(name: NodeName): MemberSnapshot | undefined {
    const member = this.table.get(name);
    return member === undefined ? undefined : snapshot(member);
  }

  get selfMember(): MemberSnapshot {
    return snapshot(this.self);
  }

  get healthScore(): number {
    return this.awareness.healthScore;
  }

  get isLeaving(): boolean {
    return this.leaving;
  }

  get queueDepth(): number {
    return this.queue.size;
  }

  /** Number of alive and suspect members, self included. */
  get activeMembers(): number {
    return this.table.activeCount;
  }

  // ─── Timers ──────────────────────────────────────────────────────────────────────────────

  private fire(due: DueTimer, nowMs: number): void {
    if (isStallSensitive(due.kind) && nowMs - due.atMs > this.stallToleranceMs) {
      // Our own process was frozen: acks and refutations may be waiting unread in the socket.
      // Let the shell read them before judging anyone.
      this.noteStall(nowMs);
      this.timers.set(due.kind, due.key, nowMs + STALL_GRACE_MS);
      return;
    }
    switch (due.kind) {
      case 'probe':
        this.finishProbe(nowMs);
        this.startProbe(nowMs);
        break;
      case 'probe-timeout':
        this.probeIndirectly();
        break;
      case 'gossip':
        this.gossip(nowMs);
        if (this.queue.size > 0) this.timers.set('gossip', '', nowMs + this.options.gossipIntervalMs);
        break;
      case 'sync':
        this.startSync(nowMs);
        this.timers.set('sync', '', nowMs + this.pushPullIntervalMs());
        break;
      case 'suspicion':
        this.suspicionExpired(due.key, nowMs);
        break;
      case 'relay':
        this.relayExpired(Number(due.key));
        break;
      case 'join-window':
        this.joinWindowClosed(Number(due.key), nowMs);
        break;
      case 'join-retry':
        if (this.table.activeCount <= 1 && this.seeds.length > 0) this.join(this.seeds, nowMs, true);
        break;
      case 'reap':
        this.reap(nowMs);
        this.timers.set('reap', '', nowMs + this.reapCheckIntervalMs());
        break;
      case 'reconnect':
        this.reconnect(nowMs);
        this.timers.set('reconnect', '', nowMs + this.options.reconnectIntervalMs);
        break;
      default:
        assertNever(due.kind);
    }
  }

  private noteStall(nowMs: number): void {
    if (nowMs - this.lastStallMs > this.options.probeIntervalMs) this.awareness.apply(1);
    this.lastStallMs = nowMs;
    this.stats.stalls++;
  }

  // ─── Probing (SWIM §3.1, Lifeguard §IV-A) ────────────────────────────────────────────────

  private startProbe(nowMs: number): void {
    const intervalMs = this.awareness.scale(this.options.probeIntervalMs);
    this.timers.set('probe', '', nowMs + intervalMs);
    if (this.leaving) return;
    const targetName = this.order.next(
      (name) => name !== this.name && this.table.isActive(name),
      () => this.activeOthers(),
    );
    const target = targetName === undefined ? undefined : this.table.get(targetName);
    if (target === undefined) return;
    const seq = this.nextSeq();
    this.probe = { seq, target: target.name, startedMs: nowMs, acked: false, expectedNacks: 0, nacks: 0 };
    const ping: Ping = { type: 'ping', seq, target: target.name };
    // Lifeguard buddy system: a suspect learns of its suspicion with the probe itself.
    const primary: Message[] =
      target.status === 'suspect'
        ? [ping, { type: 'suspect', name: target.name, incarnation: target.incarnation, from: this.name }]
        : [ping];
    this.sendWithGossip(target.addr, primary, target.name);
    this.stats.probes++;
    this.timers.set('probe-timeout', '', nowMs + this.awareness.scale(this.options.probeTimeoutMs));
  }

  private probeIndirectly(): void {
    const probe = this.probe;
    if (probe === undefined || probe.acked) return;
    const target = this.table.get(probe.target);
    if (target === undefined || !isActive(target.status)) return;
    const helpers = sample(
      this.deps.random,
      this.table.all(),
      this.options.indirectChecks,
      (m) => m.status === 'alive' && m.name !== this.name && m.name !== target.name,
    );
    for (const helper of helpers) {
      const request: PingReq = {
        type: 'ping-req',
        seq: probe.seq,
        target: target.name,
        targetAddr: target.addr,
        wantNack: true,
      };
      this.sendWithGossip(helper.addr, [request]);
    }
    // SWIM's temporal second chance, also on the direct path: a lost ping or ack alone no
    // longer makes a suspicion (memberlist's TCP fallback ping plays this part).
    this.sendWithGossip(target.addr, [{ type: 'ping', seq: probe.seq, target: target.name }], target.name);
    probe.expectedNacks = helpers.length;
    this.stats.indirectProbes++;
  }

  /** Closes the previous probe round: a silent target becomes suspect (SWIM §4.2). */
  private finishProbe(nowMs: number): void {
    const probe = this.probe;
    this.probe = undefined;
    this.timers.cancel('probe-timeout', '');
    if (probe === undefined || probe.acked) return;
    this.stats.probesFailed++;
    // Missing nacks mean our own network or process is the slow one (Lifeguard §IV-A).
    this.awareness.apply(probe.expectedNacks > 0 ? probe.expectedNacks - probe.nacks : 1);
    const target = this.table.get(probe.target);
    if (target === undefined || !isActive(target.status)) return;
    if (nowMs - this.lastStallMs < this.awareness.scale(this.options.probeIntervalMs)) {
      this.stats.suspicionsGated++;
      this.emit({ type: 'suspicion-gated', target: target.name });
      return;
    }
    const suspect: Suspect = { type: 'suspect', name: target.name, incarnation: target.incarnation, from: this.name };
    this.onSuspect(suspect, nowMs);
    // Tell the suspect at once (DESIGN §2): its refutation then races the gossip of the
    // suspicion and supersedes it in every queue it reaches.
    this.sendWithGossip(target.addr, [suspect], target.name);
  }

  private onPing(ping: Ping, from: Address): void {
    // A ping meant for a previous holder of this address must not be answered on its behalf.
    if (ping.target !== this.name) {
      this.stats.misdirectedPings++;
      return;
    }
    const ack: Ack = { type: 'ack', seq: ping.seq };
    if (this.table.hasAddress(addressKey(from)) || this.nowMs < this.lastStrangerSyncMs + this.syncGapMs()) {
      this.sendWithGossip(from, [ack]);
      return;
    }
    // Pinged by a member we do not know: we missed the gossip of its join (it is sent only
    // retransmitMult × log10(n+1) times). Our digest beside the ack makes it send us its table,
    // so the gap closes within one probe round instead of a push-pull interval. Paced like
    // syncSoon, so that in a join storm (every newcomer unknown to most for a moment) it
    // cannot become a storm of full-state transfers. The ack goes to this address anyway, so
    // a spoofed ping gains an attacker nothing.
    this.lastStrangerSyncMs = this.nowMs;
    this.stats.syncsStarted++;
    this.sendWithGossip(from, [ack, this.syncMessage(false)]);
  }

  /** Whether some member in our table (any status) uses this address, given as its addressKey. */
  isMemberAddress(key: string): boolean {
    return this.table.hasAddress(key);
  }

  private onAck(ack: Ack, nowMs: number): void {
    const probe = this.probe;
    if (probe !== undefined && probe.seq === ack.seq) {
      if (!probe.acked) {
        probe.acked = true;
        this.awareness.apply(-1);
        this.stats.probesAcked++;
        // The probe-timeout timer is gone once the indirect phase began: a relayed or second-chance ack.
        if (!this.timers.isSet('probe-timeout', '')) this.stats.probesAckedIndirect++;
        this.stats.recordRtt(nowMs - probe.startedMs);
        this.timers.cancel('probe-timeout', '');
      }
      return;
    }
    const relay = this.relays.get(ack.seq);
    if (relay !== undefined) {
      this.relays.delete(ack.seq);
      this.timers.cancel('relay', String(ack.seq));
      this.sendWithGossip(relay.requester, [{ type: 'ack', seq: relay.requesterSeq }]);
    }
  }

  private onNack(nack: Nack): void {
    if (this.probe !== undefined && this.probe.seq === nack.seq) this.probe.nacks++;
  }

  private onPingReq(request: PingReq, from: Address, nowMs: number): void {
    if (this.relays.size >= MAX_RELAYS) {
      this.stats.relaysRefused++;
      return;
    }
    const seq = this.nextSeq();
    this.relays.set(seq, { requester: from, requesterSeq: request.seq, wantNack: request.wantNack });
    this.timers.set('relay', String(seq), nowMs + this.options.probeTimeoutMs);
    this.sendWithGossip(request.targetAddr, [{ type: 'ping', seq, target: request.target }]);
  }

  private relayExpired(seq: number): void {
    const relay = this.relays.get(seq);
    if (relay === undefined) return;
    this.relays.delete(seq);
    if (relay.wantNack) this.sendWithGossip(relay.requester, [{ type: 'nack', seq: relay.requesterSeq }]);
  }

  // ─── Membership updates (SWIM §4.2) ──────────────────────────────────────────────────────

  private onAlive(alive: Alive, nowMs: number): void {
    if (alive.name === this.name) {
      const differs = !sameAddress(alive.addr, this.self.addr) || !sameTags(alive.tags, this.self.tags);
      // Another agent has our name (a holder answering our claim, or a claimant's gossip): say so here too.
      if (!sameAddress(alive.addr, this.self.addr)) {
        this.emit({ type: 'address-conflict', name: alive.name, held: this.self.addr, claimed: alive.addr });
      }
      if (alive.incarnation > this.self.incarnation || (alive.incarnation === this.self.incarnation && differs)) {
        this.refute('alive', alive.incarnation);
      }
      return;
    }
    const member = this.table.get(alive.name);
    if (member === undefined) {
      const added: Member = {
        name: alive.name,
        addr: alive.addr,
        incarnation: alive.incarnation,
        status: 'alive',
        tags: alive.tags,
        sinceMs: nowMs,
        statusFrom: alive.name,
      };
      this.table.add(added);
      this.order.insert(added.name);
      this.syncSoon(nowMs);
      this.emitChanged(added, null);
      this.enqueueUpdate(alive);
      return;
    }
    if (!overrides({ status: 'alive', incarnation: alive.incarnation }, member)) return;
    if (!sameAddress(alive.addr, member.addr) && isActive(member.status)) {
      // Only a failed or departed member's name may move to a new address. The claimant is in
      // nobody's table, so nothing else would reach it: tell it who holds the name, and it logs
      // the conflict too (the self branch above).
      this.emit({ type: 'address-conflict', name: alive.name, held: member.addr, claimed: alive.addr });
      const holder: Alive = { type: 'alive', name: member.name, incarnation: member.incarnation, addr: member.addr, tags: member.tags };
      this.send(alive.addr, [holder]);
      return;
    }
    const previous = member.status;
    const changed = previous !== 'alive' || !sameAddress(alive.addr, member.addr) || !sameTags(alive.tags, member.tags);
    this.clearSuspicion(member.name);
    this.table.setState(member, 'alive', alive.incarnation);
    if (!sameAddress(alive.addr, member.addr)) this.table.setAddress(member, alive.addr);
    member.tags = alive.tags;
    if (previous !== 'alive') {
      member.sinceMs = nowMs;
      member.statusFrom = alive.name;
      this.order.insert(member.name);
    }
    if (changed) this.emitChanged(member, previous);
    this.enqueueUpdate(alive);
  }

  private onSuspect(suspect: Suspect, nowMs: number, source?: Address): void {
    if (suspect.name === this.name) {
      if (suspect.incarnation >= this.self.incarnation && !this.leaving) this.refute('suspect', suspect.incarnation, source);
      else this.correctStale(this.self, suspect.incarnation, source);
      return;
    }
    const member = this.table.get(suspect.name);
    if (member === undefined) return;
    this.correctStale(member, suspect.incarnation, source);
    const running = this.suspicions.get(member.name);
    if (member.status === 'suspect' && running !== undefined && suspect.incarnation === member.incarnation) {
      // Lifeguard §IV-B: an independent confirmation shortens the timeout; pass it on.
      if (running.confirm(suspect.from)) {
        this.timers.set('suspicion', member.name, running.deadlineMs());
        this.enqueueUpdate(suspect);
      }
      return;
    }
    if (!overrides({ status: 'suspect', incarnation: suspect.incarnation }, member)) return;
    const previous = member.status;
    this.table.setState(member, 'suspect', suspect.incarnation);
    member.sinceMs = nowMs;
    member.statusFrom = suspect.from;
    const bounds = suspicionBounds(
      this.table.activeCount,
      this.options.probeIntervalMs,
      this.options.suspicionMult,
      this.options.suspicionMaxTimeoutMult,
    );
    const suspicion = new Suspicion(suspect.incarnation, nowMs, suspect.from, bounds);
    this.suspicions.set(member.name, suspicion);
    this.timers.set('suspicion', member.name, suspicion.deadlineMs());
    if (suspect.from === this.name) this.stats.suspicionsStarted++;
    this.emitChanged(member, previous);
    this.enqueueUpdate(suspect);
  }

  private suspicionExpired(name: NodeName, nowMs: number): void {
    const member = this.table.get(name);
    const suspicion = this.suspicions.get(name);
    if (member === undefined || suspicion === undefined || member.status !== 'suspect') return;
    if (suspicion.unconfirmed && !suspicion.finalCheckSent) {
      this.finalCheck(member, suspicion, nowMs);
      return;
    }
    this.stats.suspicionsConfirmed++;
    this.onFailed({ type: 'failed', name, incarnation: member.incarnation, from: this.name }, nowMs);
  }

  /**
   * A suspicion that ran to its end without the confirmations others would send if they saw
   * the same: maybe we are the one who missed a refutation (lost gossip). Before declaring
   * failed, ping the suspect once more with the suspicion attached (buddy system): a live
   * suspect refutes it, or answers a stale one with its current alive (correctStale).
   */
  private finalCheck(member: Member, suspicion: Suspicion, nowMs: number): void {
    suspicion.finalCheckSent = true;
    this.stats.finalChecks++;
    const ping: Ping = { type: 'ping', seq: this.nextSeq(), target: member.name };
    const suspect: Suspect = { type: 'suspect', name: member.name, incarnation: member.incarnation, from: this.name };
    this.sendWithGossip(member.addr, [ping, suspect], member.name);
    // A round trip, plus the refutation's own trip back.
    this.timers.set('suspicion', member.name, nowMs + 2 * this.awareness.scale(this.options.probeTimeoutMs));
  }

  private onFailed(failed: Failed, nowMs: number, source?: Address): void {
    if (failed.name === this.name) {
      if (failed.incarnation >= this.self.incarnation && !this.leaving) this.refute('failed', failed.incarnation, source);
      else this.correctStale(this.self, failed.incarnation, source);
      return;
    }
    const member = this.table.get(failed.name);
    if (member === undefined) return;
    this.correctStale(member, failed.incarnation, source);
    if (!overrides({ status: 'failed', incarnation: failed.incarnation }, member)) return;
    this.markDown(member, 'failed', failed.incarnation, failed.from, nowMs);
    this.enqueueUpdate(failed);
  }

  private onLeft(left: Left, nowMs: number): void {
    if (left.name === this.name) {
      // A `left` from an earlier life of ours (same name, restarted): answer it.
      if (left.incarnation >= this.self.incarnation && !this.leaving) this.refute('left', left.incarnation);
      return;
    }
    const member = this.table.get(left.name);
    if (member === undefined) return;
    if (!overrides({ status: 'left', incarnation: left.incarnation }, member)) return;
    this.markDown(member, 'left', left.incarnation, left.name, nowMs);
    this.enqueueUpdate(left);
  }

  private markDown(member: Member, status: 'failed' | 'left', incarnation: Incarnation, by: NodeName, nowMs: number): void {
    const previous = member.status;
    this.clearSuspicion(member.name);
    this.table.setState(member, status, incarnation);
    member.sinceMs = nowMs;
    member.statusFrom = by;
    this.emitChanged(member, previous);
  }

  /** Someone doubts us: raise our incarnation above the accusation and say so first. */
  private refute(accusation: 'suspect' | 'failed' | 'left' | 'alive', heard: Incarnation, accuser?: Address): void {
    // u32 on the wire: a (buggy or hostile) peer claiming the maximum cannot make us overflow.
    const incarnation = Math.min(MAX_INCARNATION, Math.max(this.self.incarnation, heard) + 1);
    this.table.setState(this.self, this.self.status, incarnation);
    if (accusation === 'suspect' || accusation === 'failed') this.awareness.apply(1);
    this.stats.refutations++;
    this.emit({ type: 'refuted', accusation, incarnation });
    this.enqueueUpdate(this.selfAlive(), true);
    // Whoever brought the accusation hears the answer at once, even if it is on the far side
    // of a healed partition where our gossip does not reach yet.
    if (accuser !== undefined) this.sendWithGossip(accuser, [this.selfAlive()]);
  }

  /**
   * Someone passed us an accusation older than a refutation we already hold: they missed the
   * refutation. Gossip of it is over by now, and their stale suspicion would run to its full
   * timeout and fail a live member, so send them the current `alive` directly.
   */
  private correctStale(member: Member, heardIncarnation: Incarnation, source: Address | undefined): void {
    if (source === undefined || heardIncarnation >= member.incarnation || member.status !== 'alive') return;
    this.stats.staleCorrections++;
    const alive: Alive = { type: 'alive', name: member.name, incarnation: member.incarnation, addr: member.addr, tags: member.tags };
    this.sendWithGossip(source, [alive]);
  }

  private clearSuspicion(name: NodeName): void {
    if (this.suspicions.delete(name)) this.timers.cancel('suspicion', name);
  }

  // ─── Dissemination (SWIM §4.1) ───────────────────────────────────────────────────────────

  private enqueueUpdate(message: UpdateMessage, priority = false): void {
    this.queue.enqueue(message, this.deps.messageSize(message), priority);
    // The gossip ticker runs only while there is something to gossip: an idle cluster wakes
    // for its probes alone (a thousand agents in one process notice the difference).
    if (!this.timers.isSet('gossip', '')) {
      this.timers.set('gossip', '', this.nowMs + randomInt(this.deps.random, this.options.gossipIntervalMs));
    }
  }

  /** Sends `primary` with as many queued updates as fit in the packet. */
  private sendWithGossip(to: Address, primary: Message[], recipient?: NodeName): void {
    let used = this.deps.packetOverheadBytes;
    for (const message of primary) used += this.deps.messageSize(message);
    const updates = this.queue.take(this.options.maxPacketBytes - used, this.retransmitLimit(), recipient);
    for (const update of updates) primary.push(update);
    this.send(to, primary);
    this.checkLeaveSpread();
  }

  private gossip(nowMs: number): void {
    if (this.queue.size === 0) return;
    const budget = this.options.maxPacketBytes - this.deps.packetOverheadBytes;
    for (const target of this.gossipTargets(nowMs, this.options.gossipFanout)) {
      const updates = this.queue.take(budget, this.retransmitLimit(), target.name);
      if (updates.length === 0) break;
      this.send(target.addr, updates);
    }
    this.checkLeaveSpread();
  }

  /** Random live members, plus recently failed ones so a false failure can still be refuted. */
  private gossipTargets(nowMs: number, count: number): Member[] {
    const deadCutoff = nowMs - this.options.gossipToTheDeadTimeMs;
    return sample(this.deps.random, this.table.all(), count, (m) => {
      if (m.name === this.name) return false;
      return isActive(m.status) || (m.status === 'failed' && m.sinceMs >= deadCutoff);
    });
  }

  private checkLeaveSpread(): void {
    if (this.leaving && !this.queue.has(this.name) && !this.leaveReported) {
      this.leaveReported = true;
      this.emit({ type: 'leave-finished', spread: true });
    }
  }

  private retransmitLimit(): number {
    return retransmitLimit(this.options.retransmitMult, this.table.activeCount);
  }

  // ─── Anti-entropy and join ───────────────────────────────────────────────────────────────

  private startSync(nowMs: number): void {
    const [peer] = sample(this.deps.random, this.table.all(), 1, (m) => m.status === 'alive' && m.name !== this.name);
    if (peer === undefined) return;
    this.lastSyncMs = nowMs;
    this.sendWithGossip(peer.addr, [this.syncMessage(false)], peer.name);
    this.stats.syncsStarted++;
  }

  /**
   * Our table just grew, so others' tables probably differ too (members joining at once, or a
   * seed that answered before it knew everyone). Gossip of a join is sent only
   * retransmitMult × log10(n+1) times, so with small multipliers some members miss it; an early
   * digest exchange with a random member closes that gap in seconds instead of a full
   * pushPullInterval. Paced to one per probeInterval × log2(n), so a join storm of a large
   * cluster cannot turn into a storm of full-state transfers; a stable cluster sends nothing extra.
   */
  private syncSoon(nowMs: number): void {
    const atMs = Math.max(nowMs + this.options.probeIntervalMs, this.lastSyncMs + this.syncGapMs());
    if (atMs < this.timers.deadlineOf('sync', '')) this.timers.set('sync', '', atMs);
  }

  /** The least time between two extra anti-entropy rounds: probeInterval × log2(n). */
  private syncGapMs(): number {
    return this.options.probeIntervalMs * Math.max(1, Math.ceil(Math.log2(this.table.activeCount)));
  }

  private syncMessage(join: boolean): Sync {
    return { type: 'sync', digest: this.table.digest, members: this.table.size, join };
  }

  private onSync(sync: Sync, from: Address): void {
    if (!sync.join && sync.digest === this.table.digest) return;
    this.sendState(from, true);
  }

  /** Sends our whole table in packet-sized `state` chunks; the first asks for theirs back. */
  private sendState(to: Address, echo: boolean): void {
    const budget = this.options.maxPacketBytes - this.deps.packetOverheadBytes - STATE_FRAMING_BYTES;
    const emptySize = this.deps.messageSize({ type: 'state', echo, members: [] });
    let chunk: MemberState[] = [];
    let used = emptySize;
    let first = true;
    const flush = (): void => {
      const state: State = { type: 'state', echo: echo && first, members: chunk };
      this.send(to, [state]);
      first = false;
      chunk = [];
      used = emptySize;
    };
    for (const member of this.table.all()) {
      const entry: MemberState = {
        name: member.name,
        addr: member.addr,
        incarnation: member.incarnation,
        status: member.status,
        tags: member.tags,
      };
      const bytes = this.deps.messageSize({ type: 'state', echo: false, members: [entry] }) - emptySize;
      if (chunk.length > 0 && (used + bytes > budget || chunk.length >= 255)) flush();
      chunk.push(entry);
      used += bytes;
    }
    if (chunk.length > 0) flush();
    this.stats.statesSent++;
  }

  /**
   * Merges a peer's table. Newer incarnations and departures are adopted. A disagreement at
   * the same incarnation (they say failed, we say alive, or the reverse) is not settled by
   * taking either side: we ask the member itself, with a direct accusation it will refute to
   * us if it is alive. memberlist instead turns every remote `dead` into a local suspicion,
   * which after a healed partition makes each side suspect its own live members by the
   * hundred; this way only the members in dispute are asked, once, and healing takes one
   * round trip plus the spread of their refutations.
   */
  private onState(state: State, from: Address, nowMs: number): void {
    this.markSeedAnswered(from, nowMs);
    for (const entry of state.members) this.mergeEntry(entry, nowMs);
    if (state.echo) this.sendState(from, false);
  }

  private mergeEntry(entry: MemberState, nowMs: number): void {
    const held = this.table.get(entry.name);
    switch (entry.status) {
      case 'alive':
        if (held !== undefined && held !== this.self && held.status === 'failed' && held.incarnation === entry.incarnation) {
          this.askMember(held, { type: 'failed', name: held.name, incarnation: held.incarnation, from: this.name });
          return;
        }
        this.onAlive({ type: 'alive', name: entry.name, incarnation: entry.incarnation, addr: entry.addr, tags: entry.tags }, nowMs);
        return;
      case 'suspect':
      case 'failed':
        if (held === this.self || (held !== undefined && entry.incarnation > held.incarnation)) {
          this.onSuspect({ type: 'suspect', name: entry.name, incarnation: entry.incarnation, from: this.name }, nowMs);
        } else if (held !== undefined && held.status === 'alive' && entry.incarnation === held.incarnation) {
          this.askMember(held, { type: 'suspect', name: held.name, incarnation: held.incarnation, from: this.name });
        }
        return;
      case 'left':
        this.onLeft({ type: 'left', name: entry.name, incarnation: entry.incarnation }, nowMs);
        return;
      default:
        assertNever(entry.status);
    }
  }

  /** Sends a member the accusation another table makes about it; if alive, it refutes to us. */
  private askMember(member: Member, accusation: Suspect | Failed): void {
    this.stats.disputesAsked++;
    this.sendWithGossip(member.addr, [accusation], member.name);
  }

  private sendJoinSyncs(attempt: JoinAttempt): void {
    for (const seed of attempt.seeds.values()) {
      if (!seed.answered) this.sendWithGossip(seed.addr, [this.syncMessage(true)]);
    }
  }

  private markSeedAnswered(from: Address, nowMs: number): void {
    const key = addressKey(from);
    for (const attempt of this.joins.values()) {
      const seed = attempt.seeds.get(key);
      if (seed === undefined || seed.answered) continue;
      seed.answered = true;
      if ([...attempt.seeds.values()].every((s) => s.answered)) this.finishJoin(attempt, nowMs);
    }
  }

  private joinWindowClosed(id: number, nowMs: number): void {
    const attempt = this.joins.get(id);
    if (attempt !== undefined) this.finishJoin(attempt, nowMs);
  }

  private finishJoin(attempt: JoinAttempt, nowMs: number): void {
    this.joins.delete(attempt.id);
    this.timers.cancel('join-window', String(attempt.id));
    const joined = [...attempt.seeds.values()].filter((s) => s.answered).length;
    this.emit({ type: 'join-finished', attempt: attempt.id, joined, seeds: attempt.seeds.size });
    if (!attempt.retry) return;
    if (joined > 0) {
      this.joinRetryMs = JOIN_RETRY_BASE_MS;
      return;
    }
    this.timers.set('join-retry', '', nowMs + this.joinRetryMs);
    this.joinRetryMs = Math.min(JOIN_RETRY_MAX_MS, this.joinRetryMs * 2);
  }

  /** Long enough for a seed's answer under local timing; at least a second. */
  private joinWindowMs(): number {
    return Math.max(1000, 4 * this.options.probeTimeoutMs);
  }

  /**
   * Serf-style healing: now and then ask a failed member for its table, so both sides of a
   * healed partition merge without an operator. A node left alone also retries its seeds.
   */
  private reconnect(nowMs: number): void {
    if (this.leaving) return;
    if (this.table.activeCount <= 1 && this.seeds.length > 0 && !this.timers.isSet('join-retry', '')) {
      this.join(this.seeds, nowMs, true);
      return;
    }
    if (this.table.count('failed') === 0) return;
    // Only members that failed within reconnectTimeout are retried; older ones wait for the reaper.
    const cutoffMs = nowMs - this.options.reconnectTimeoutMs;
    const retryable = (m: Member): boolean => m.status === 'failed' && m.sinceMs >= cutoffMs;
    const failed = this.table.all().reduce((count, m) => (retryable(m) ? count + 1 : count), 0);
    if (failed === 0) return;
    if (this.deps.random.next() >= failed / Math.max(1, this.table.activeCount)) return;
    const [target] = sample(this.deps.random, this.table.all(), 1, retryable);
    if (target !== undefined) this.sendWithGossip(target.addr, [this.syncMessage(true)]);
  }

  private reap(nowMs: number): void {
    if (this.table.count('failed') + this.table.count('left') === 0) return;
    const cutoff = nowMs - this.options.reapTimeoutMs;
    const expired = this.table.all().filter((m) => (m.status === 'failed' || m.status === 'left') && m.sinceMs <= cutoff);
    for (const member of expired) {
      if (member === this.self) continue;
      this.table.remove(member.name);
      this.queue.remove(member.name);
      this.emit({ type: 'member-reaped', name: member.name });
    }
  }

  private reapCheckIntervalMs(): number {
    return Math.max(1000, Math.min(60_000, this.options.reapTimeoutMs / 10));
  }

  private pushPullIntervalMs(): number {
    return scaledPushPullIntervalMs(this.options.pushPullIntervalMs, this.table.activeCount);
  }

  // ─── Helpers ─────────────────────────────────────────────────────────────────────────────

  private send(to: Address, messages: readonly Message[]): void {
    this.stats.countSent(messages);
    this.deps.send(to, messages);
  }

  private selfAlive(): Alive {
    return { type: 'alive', name: this.name, incarnation: this.self.incarnation, addr: this.self.addr, tags: this.self.tags };
  }

  private activeOthers(): NodeName[] {
    const names: NodeName[] = [];
    for (const m of this.table.all()) if (m.name !== this.name && isActive(m.status)) names.push(m.name);
    return names;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  private emitChanged(member: Member, previous: Member['status'] | null): void {
    this.emit({ type: 'member-changed', member: snapshot(member), previous });
  }

  private emit(event: NodeEvent): void {
    this.deps.onEvent?.(event);
  }
}

function isStallSensitive(kind: DueTimer['kind']): boolean {
  return kind === 'probe' || kind === 'probe-timeout' || kind === 'suspicion';
}

function snapshot(member: Member): MemberSnapshot {
  return {
    name: member.name,
    addr: member.addr,
    incarnation: member.incarnation,
    status: member.status,
    tags: member.tags,
    sinceMs: member.sinceMs,
    statusFrom: member.statusFrom,
  };
}

function sameTags(a: Tags, b: Tags): boolean {
  if (a === b) return true;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => a[key] === b[key]);
}

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
