import { AddressValidation, type AddressCookie } from './address-validation.js';
import { Awareness } from './awareness.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { NodeCoordinates } from './coordinates.js';
import { Outbox } from './effects.js';
import { PROTOCOL_LIMITS } from './limits.js';
import type { NodeEvent } from './events.js';
import type { Member } from './member.js';
import { Membership } from './membership.js';
import type { Alive, Message, UserEvent } from './messages.js';
import type { ProtocolOptions } from './options.js';
import { createProbeSchedule, type ProbeSchedule } from './probe-schedule.js';
import { seededRandom, type Random } from './random.js';
import { fnv1aText } from './hash.js';
import { ReplyBudget } from './reply-budget.js';
import type { Roster } from './roster.js';
import { NodeStats } from './stats.js';
import { TimerQueue } from './timers.js';
import { incarnation, seqNo, type Address, type Incarnation, type MemberStatus, type NodeName, type SeqNo, type Tags } from './types.js';

/** Who this node is when it starts. */
export interface NodeIdentity {
  readonly name: NodeName;
  /** The address other members reach us at (the advertise address). */
  readonly addr: Address;
  readonly tags: Tags;
  /** Starting incarnation: the wall clock in seconds, so a restart beats our old record. */
  readonly incarnation: Incarnation;
}

/** What the core needs from outside: randomness, message sizes and the address-cookie hash. */
export interface NodeDeps {
  readonly random: Random;
  /** Keyed hash of (address, time window) for address validation: see AddressValidation. */
  readonly addressCookie: AddressCookie;
  /** Exact encoded size of one message (from the codec), to fill packets up to maxPacketBytes. */
  readonly messageSize: (message: Message) => number;
  /** Bytes a datagram adds around its messages (header, array framing, encryption). */
  readonly packetOverheadBytes: number;
  /**
   * Where the member table keeps names, addresses and tags. An agent's node has its own (the
   * default); the simulator gives all its members one, so each name is held once, not N times.
   */
  readonly roster?: Roster;
}

/**
 * The state that the parts of one node (probing, updates, dissemination, anti-entropy, join,
 * reconnect, reap) share, and the outbox their effects collect in. `nowMs` is the time of
 * the input being handled: the node sets it before any part runs.
 */
export class NodeContext {
  readonly name: NodeName;
  readonly table: Membership;
  readonly queue = new BroadcastQueue(PROTOCOL_LIMITS.maxQueuedUpdates);
  /**
   * User events waiting to be gossiped, with their own transmit limit. A coalescing event is
   * keyed by origin and name, so a newer one replaces the one still in flight.
   */
  readonly eventQueue = new BroadcastQueue<UserEvent>(PROTOCOL_LIMITS.maxQueuedUserEvents, {
    keyOf: (event) => (event.coalesce ? `c\u0000${event.origin}\u0000${event.name}` : `${event.origin}/${event.epoch}/${event.seq}`),
    skippedFor: (event) => event.origin,
  });
  readonly timers = new TimerQueue();
  readonly stats = new NodeStats();
  readonly outbox = new Outbox();
  /** Whether an address has shown it receives our datagrams (cookies), and the cookies peers gave us. */
  readonly validation: AddressValidation;
  /** The anti-amplification limit on replies to the source of the datagram being handled. */
  readonly replyBudget = new ReplyBudget();
  readonly awareness: Awareness;
  /** Who to probe next: updates insert members that become active, probing asks it each period. */
  readonly schedule: ProbeSchedule;
  readonly random: Random;
  /** Our Vivaldi coordinate and the latest of each peer (see coordinates.ts). */
  readonly coordinates: NodeCoordinates;
  nowMs = 0;
  /** Set once by the leave command; a leaving node probes and refutes no more. */
  leaving = false;
  private leaveReported = false;
  private seq = 0;

  constructor(
    readonly options: ProtocolOptions,
    identity: NodeIdentity,
    readonly deps: NodeDeps,
  ) {
    this.name = identity.name;
    this.random = deps.random;
    this.validation = new AddressValidation(deps.addressCookie);
    this.awareness = new Awareness(options.awarenessMaxMultiplier);
    // Its own stream, seeded by our name: drawing Vivaldi's rare random directions from
    // deps.random would shift every later protocol choice, and every simulated run with it.
    this.coordinates = new NodeCoordinates(seededRandom(fnv1aText(identity.name) >>> 0));
    this.table = new Membership(deps.roster);
    this.table.add({
      name: identity.name,
      addr: identity.addr,
      incarnation: incarnation(identity.incarnation >>> 0),
      status: 'alive',
      tags: identity.tags,
      sinceMs: 0,
      statusFrom: identity.name,
    });
    this.schedule = createProbeSchedule(options.probeSchedule, this.name, this.table, deps.random);
  }

  /** Our own row, read afresh (a copy: change it through the table). */
  get self(): Member {
    return this.table.get(this.name) as Member;
  }

  send(to: Address, messages: readonly Message[]): void {
    if (this.replyBudget.roomFor(to) !== Infinity && !this.replyBudget.take(to, this.datagramBytes(messages))) {
      this.stats.repliesWithheld++;
      return;
    }
    this.stats.countSent(messages);
    this.outbox.send(to, messages);
  }

  /** A datagram's size as the shell will send it (header and envelope included). */
  datagramBytes(messages: readonly Message[]): number {
    let bytes = this.deps.packetOverheadBytes;
    for (const message of messages) bytes += this.deps.messageSize(message);
    return bytes;
  }

  emit(event: NodeEvent): void {
    this.outbox.emit(event);
  }

  /** Reports a member's row as it is now (read after the change, whoever made it). */
  emitChanged(member: { readonly name: NodeName }, previous: MemberStatus | null): void {
    this.emit({ type: 'member-changed', member: this.table.get(member.name) as Member, previous });
  }

  /** Reports the end of our leave once, whichever path (spread, or nobody left to tell) ends it. */
  reportLeaveFinished(): void {
    if (this.leaveReported) return;
    this.leaveReported = true;
    this.emit({ type: 'leave-finished', spread: true });
  }

  selfAlive(): Alive {
    return aliveOf(this.self);
  }

  nextSeq(): SeqNo {
    this.seq = (this.seq + 1) >>> 0;
    return seqNo(this.seq);
  }
}

/** The `alive` message that states a member's current record. */
export function aliveOf(member: Member): Alive {
  return { type: 'alive', name: member.name, incarnation: member.incarnation, addr: member.addr, tags: member.tags };
}
