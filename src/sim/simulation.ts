import { createCodec, messageSize, PACKET_OVERHEAD_BYTES, packetOverheadBytes, type Codec } from '../codec/index.js';
import type { Effects } from '../protocol/effects.js';
import type { MemberSnapshot, NodeEvent } from '../protocol/events.js';
import type { Message } from '../protocol/messages.js';
import { GossipNode } from '../protocol/node.js';
import type { ProtocolOptions } from '../protocol/options.js';
import { seededAddressCookie } from '../protocol/address-validation.js';
import { fnv1aText } from '../protocol/hash.js';
import { seededRandom, type Random } from '../protocol/random.js';
import { Roster } from '../protocol/roster.js';
import type { NodeView } from '../protocol/view.js';
import { addressKey, assertNever, incarnation, nodeName, type Address, type MemberStatus, type Tags } from '../protocol/types.js';
import { EventQueue } from './event-queue.js';
import type { LatencyFn } from './latency.js';

export interface SimulationOptions {
  readonly seed: number;
  readonly protocol: ProtocolOptions;
  readonly cluster?: string;
  /** Probability that any one datagram is lost. Default 0. */
  readonly lossRate?: number;
  /** One-way latency range in ms, uniform. Default [1, 5]. */
  readonly latencyMs?: readonly [number, number];
  /** One-way latency per datagram by sender and receiver (e.g. RegionLatency.latency); replaces latencyMs when set. */
  readonly latency?: LatencyFn;
  /** Virtual wall clock at time 0, in seconds: where starting incarnations come from. */
  readonly startWallSeconds?: number;
  /** How datagrams travel (see SimulationWire). Default `codec`. */
  readonly wire?: SimulationWire;
}

/**
 * `codec`: every datagram is encoded and decoded by the real codec, as between agents.
 * `direct`: the receiver gets the sender's message objects (immutable, as the core treats
 * them), and the datagram's size is worked out exactly from the codec's sizes (HEADER +
 * array header + Σ messageSize, which the codec guarantees and its tests check): the same
 * run, byte counts included, for about a third less work. A test runs both and compares.
 */
export type SimulationWire = 'codec' | 'direct';

// The simulator addresses members by plain strings; the protocol's NodeName is converted at
// the boundary (nodeName), so that callers never need the core's name type.

/** Whether a datagram from one member may reach another (partitions). */
export type LinkFilter = (from: string, to: string) => boolean;

export type SimEventListener = (observer: string, event: NodeEvent, nowMs: number) => void;

interface Delivery {
  /** The encoded datagram (wire `codec`), or undefined with `messages` set (wire `direct`). */
  readonly bytes: Uint8Array | undefined;
  readonly messages: readonly Message[] | undefined;
  readonly from: Address;
  readonly fromName: string;
}

interface SimMember {
  readonly name: string;
  /** The name its core claims: `name`, unless this host impersonates another member. */
  readonly claimedName: string;
  readonly addr: Address;
  core: GossipNode;
  crashed: boolean;
  pausedUntilMs: number;
  wakeToken: number;
  wakeAtMs: number;
  readonly inbox: Delivery[];
  tags: Tags;
  packetsSent: number;
  bytesSent: number;
}

type SimEvent =
  | { readonly kind: 'wake'; readonly member: SimMember; readonly token: number }
  | { readonly kind: 'deliver'; readonly to: SimMember; readonly delivery: Delivery }
  | { readonly kind: 'resume'; readonly member: SimMember }
  | { readonly kind: 'call'; readonly fn: () => void };

/** IPv4 header (20) + UDP header (8): what a datagram costs on the wire beyond its payload. */
export const UDP_IP_OVERHEAD_BYTES = 28;

/**
 * A deterministic cluster: real protocol cores and the real codec on a virtual clock and a
 * simulated network with loss, latency, partitions, crashes, pauses and restarts. The same
 * seed always gives the same run.
 */
export class Simulation {
  nowMs = 0;
  /** Datagrams the codec rejected (must stay 0: every simulated sender is honest). */
  decodeFailures = 0;
  /** Datagrams sent (by running members, lost or not) that carry at least one `state` message. */
  statePacketsSent = 0;
  /** `state` messages sent with `full` set: each opens one whole-table answer (a join, or a bucket answer covering half the buckets or more). */
  fullStateTransfers = 0;

  private readonly agenda = new EventQueue<SimEvent>();
  private readonly byName = new Map<string, SimMember>();
  private readonly byAddress = new Map<string, SimMember>();
  private readonly networkRandom: Random;
  private readonly codec: Codec;
  /** Names, addresses and tags held once for all members' tables (see Roster). */
  private readonly roster = new Roster();
  private readonly listeners: SimEventListener[] = [];
  private linkFilter: LinkFilter | undefined;
  private memberCounter = 0;

  constructor(private readonly options: SimulationOptions) {
    this.networkRandom = seededRandom(mix(options.seed, 0x5eed));
    this.codec = createCodec({ cluster: options.cluster ?? 'sim' });
  }

  onEvent(listener: SimEventListener): void {
    this.listeners.push(listener);
  }

  /**
   * Adds a member, starts it, and joins it through `seeds` (names of existing members).
   * `claimedName` makes this host's core call itself by another member's name (a name conflict:
   * two hosts, one name); the simulator still addresses it as `name`.
   */
  addMember(name: string, seeds: readonly string[] = [], tags: Tags = {}, claimedName: string = name): void {
    if (this.byName.has(name)) throw new Error(`member ${name} exists`);
    const index = ++this.memberCounter;
    const addr: Address = { host: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`, port: 7946 };
    const member: SimMember = {
      name,
      claimedName,
      addr,
      core: undefined as unknown as GossipNode,
      crashed: false,
      pausedUntilMs: -Infinity,
      wakeToken: 0,
      wakeAtMs: Infinity,
      inbox: [],
      tags,
      packetsSent: 0,
      bytesSent: 0,
    };
    this.byName.set(name, member);
    this.byAddress.set(addressKey(addr), member);
    this.boot(member, seeds);
  }

  /**
   * Adds members that start as one converged cluster: every member already knows every other
   * one as alive (as if they had joined long ago), so large clusters skip the join storm.
   */
  addConvergedMembers(names: readonly string[]): void {
    for (const name of names) this.addMember(name);
    const states = names.map((name) => this.get(name).core.selfMember);
    for (const name of names) {
      const member = this.get(name);
      this.apply(member, member.core.restore(states, this.nowMs));
    }
  }

  /** Stops a member abruptly: it sends nothing more and everything sent to it is lost. */
  crash(name: string): void {
    this.get(name).crashed = true;
  }

  /** Freezes a member: nothing sent, packets queue up, timers fire late when it resumes. */
  pause(name: string, durationMs: number): void {
    const member = this.get(name);
    member.pausedUntilMs = this.nowMs + durationMs;
    this.agenda.push(member.pausedUntilMs, { kind: 'resume', member });
  }

  /** Starts a crashed member again under the same name and address, with a new incarnation. */
  restart(name: string, seeds: readonly string[]): void {
    const member = this.get(name);
    member.crashed = false;
    member.pausedUntilMs = -Infinity;
    member.inbox.length = 0;
    this.boot(member, seeds);
  }

  /** Gracefully leaves. */
  leave(name: string): void {
    const member = this.get(name);
    this.apply(member, member.core.leave(this.nowMs));
  }

  /** Sends a user event from `name` (`gossipd event`); returns the id every member gives it. */
  sendUserEvent(name: string, eventName: string, payload: string, coalesce = false): string {
    const member = this.get(name);
    const effects = member.core.sendUserEvent(eventName, payload, coalesce, this.nowMs);
    this.apply(member, effects);
    return effects.sent.id;
  }

  /** `gossipd force-leave` on `name` about `subject`; returns the refusal, or null. */
  forceLeave(name: string, subject: string, prune: boolean): string | null {
    const member = this.get(name);
    const effects = member.core.forceLeave(nodeName(subject), prune, this.nowMs);
    this.apply(member, effects);
    return effects.refused;
  }

  setLinkFilter(filter: LinkFilter | undefined): void {
    this.linkFilter = filter;
  }

  /** Runs `fn` at virtual time `atMs`. */
  at(atMs: number, fn: () => void): void {
    this.agenda.push(atMs, { kind: 'call', fn });
  }

  runFor(durationMs: number): void {
    this.runUntilTime(this.nowMs + durationMs);
  }

  /** Runs until `done()` holds (checked every `checkEveryMs`) or `maxMs` pass; returns whether it held. */
  runUntil(done: () => boolean, maxMs: number, checkEveryMs = 50): boolean {
    const limit = this.nowMs + maxMs;
    while (this.nowMs < limit) {
      if (done()) return true;
      this.runUntilTime(Math.min(limit, this.nowMs + checkEveryMs));
    }
    return done();
  }

  /** How `observer` sees `subject`, or undefined if it does not know it. */
  statusOf(observer: string, subject: string): MemberStatus | undefined {
    return this.get(observer).core.member(nodeName(subject))?.status;
  }

  /** `observer`'s record of `subject`, or undefined if it does not know it. */
  memberAsSeenBy(observer: string, subject: string): MemberSnapshot | undefined {
    return this.get(observer).core.member(nodeName(subject));
  }

  /** What a member's core holds, read-only: its inputs are the simulator's to give. */
  core(name: string): NodeView {
    return this.get(name).core;
  }

  memberNames(): string[] {
    return [...this.byName.keys()];
  }

  isRunning(name: string): boolean {
    const member = this.get(name);
    return !member.crashed;
  }

  traffic(name: string): { readonly packetsSent: number; readonly bytesSent: number } {
    const member = this.get(name);
    return { packetsSent: member.packetsSent, bytesSent: member.bytesSent };
  }

  private runUntilTime(untilMs: number): void {
    for (;;) {
      if (this.agenda.peekTime() > untilMs) break;
      const next = this.agenda.pop();
      if (next === undefined) break;
      this.nowMs = Math.max(this.nowMs, next.atMs);
      this.handle(next.event);
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'wake': {
        const member = event.member;
        if (member.crashed || event.token !== member.wakeToken || this.isPaused(member)) return;
        member.wakeAtMs = Infinity;
        this.apply(member, member.core.tick(this.nowMs));
        return;
      }
      case 'deliver': {
        const member = event.to;
        if (member.crashed) return;
        if (this.isPaused(member)) {
          member.inbox.push(event.delivery);
          return;
        }
        this.deliver(member, event.delivery);
        return;
      }
      case 'resume': {
        const member = event.member;
        if (member.crashed || this.nowMs < member.pausedUntilMs) return;
        // As in Node.js: overdue timers run first, then the packets that queued up are read.
        member.wakeAtMs = Infinity;
        this.apply(member, member.core.tick(this.nowMs));
        for (const delivery of member.inbox.splice(0)) this.deliver(member, delivery);
        return;
      }
      case 'call':
        event.fn();
        return;
      default:
        assertNever(event);
    }
  }

  private deliver(member: SimMember, delivery: Delivery): void {
    if (delivery.bytes === undefined) {
      this.apply(member, member.core.receive(delivery.messages as readonly Message[], delivery.from, this.nowMs));
      return;
    }
    const decoded = this.codec.decode(delivery.bytes);
    if (!decoded.ok) {
      this.decodeFailures++;
      return;
    }
    this.apply(member, member.core.receive(decoded.value, delivery.from, this.nowMs));
  }

  private boot(member: SimMember, seeds: readonly string[]): void {
    const wallSeconds = (this.options.startWallSeconds ?? 1_700_000_000) + Math.floor(this.nowMs / 1000);
    const random = seededRandom(mix(this.options.seed, (fnv1aText(member.name) >>> 0) ^ wallSeconds));
    const core = new GossipNode(
      this.options.protocol,
      { name: nodeName(member.claimedName), addr: member.addr, tags: member.tags, incarnation: incarnation(wallSeconds) },
      {
        random,
        addressCookie: seededAddressCookie(mix(this.options.seed, wallSeconds ^ 0xc00c1e)),
        messageSize,
        packetOverheadBytes: PACKET_OVERHEAD_BYTES,
        roster: this.roster,
      },
    );
    member.core = core;
    member.wakeToken++;
    member.wakeAtMs = Infinity;
    this.apply(member, core.start(this.nowMs));
    if (seeds.length > 0) this.apply(member, core.join(seeds.map((seed) => this.get(seed).addr), this.nowMs, true));
  }

  /** Carries out what one input of a member's core asked for: its datagrams, events and next wake-up. */
  private apply(member: SimMember, effects: Effects): void {
    for (const datagram of effects.datagrams) this.send(member, datagram.to, datagram.messages);
    for (const event of effects.events) {
      for (const listener of this.listeners) listener(member.name, event, this.nowMs);
    }
    this.reschedule(member, effects.nextDeadlineMs);
  }

  private send(from: SimMember, to: Address, messages: readonly Message[]): void {
    if (from.crashed) return;
    const bytes = this.options.wire === 'direct' ? undefined : this.codec.encode(messages);
    this.countState(messages);
    from.packetsSent++;
    from.bytesSent += (bytes === undefined ? this.encodedSize(messages) : bytes.length) + UDP_IP_OVERHEAD_BYTES;
    const target = this.byAddress.get(addressKey(to));
    if (target === undefined) return;
    if (this.linkFilter !== undefined && !this.linkFilter(from.name, target.name)) return;
    const lossRate = this.options.lossRate ?? 0;
    if (lossRate > 0 && this.networkRandom.next() < lossRate) return;
    const latencyMs = this.latencyMs(from.name, target.name);
    this.agenda.push(this.nowMs + latencyMs, {
      kind: 'deliver',
      to: target,
      delivery: { bytes, messages: bytes === undefined ? messages : undefined, from: from.addr, fromName: from.name },
    });
  }

  /** A datagram's exact encoded size, without encoding it (see codec/sizes.ts). */
  private encodedSize(messages: readonly Message[]): number {
    let bytes = packetOverheadBytes(messages.length);
    for (const message of messages) bytes += messageSize(message);
    return bytes;
  }

  private latencyMs(from: string, to: string): number {
    if (this.options.latency !== undefined) return this.options.latency(from, to);
    const [minMs, maxMs] = this.options.latencyMs ?? [1, 5];
    return minMs + this.networkRandom.next() * (maxMs - minMs);
  }

  private countState(messages: readonly Message[]): void {
    let state = false;
    for (const message of messages) {
      if (message.type !== 'state') continue;
      state = true;
      if (message.full) this.fullStateTransfers++;
    }
    if (state) this.statePacketsSent++;
  }

  private reschedule(member: SimMember, deadline: number): void {
    if (member.crashed) return;
    if (deadline >= member.wakeAtMs || deadline === Infinity) return;
    member.wakeAtMs = deadline;
    const token = ++member.wakeToken;
    this.agenda.push(Math.max(deadline, this.nowMs), { kind: 'wake', member, token });
  }

  private isPaused(member: SimMember): boolean {
    return this.nowMs < member.pausedUntilMs;
  }

  private get(name: string): SimMember {
    const member = this.byName.get(name);
    if (member === undefined) throw new Error(`no simulated member named ${name}`);
    return member;
  }
}

/** splitmix32-style mixing, so each member's (or fault plan's) random stream is independent but seed-derived. */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
