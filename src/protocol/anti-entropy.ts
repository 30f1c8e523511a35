import type { NodeContext } from './context.js';
import type { Dissemination } from './dissemination.js';
import { PROTOCOL_LIMITS } from './limits.js';
import type { Member } from './member.js';
import type { Membership } from './membership.js';
import type { Failed, MemberState, State, Suspect, Sync } from './messages.js';
import { scaledPushPullIntervalMs } from './options.js';
import { randomInt } from './random.js';
import { addressKey, assertNever, type Address } from './types.js';
import type { Updates } from './updates.js';

/** A digest of our table; `join` asks for the whole table whatever the digest says. */
export function syncMessage(table: Membership, join: boolean): Sync {
  return { type: 'sync', digest: table.digest, members: table.size, join };
}

/**
 * Anti-entropy (push-pull): now and then compare tables with one random member by digest and
 * exchange whole tables on a mismatch, so whatever gossip missed is repaired.
 */
export class AntiEntropy {
  private lastSyncMs = -Infinity;
  /** When a ping from an unknown address last got our digest (see digestForStranger). */
  private lastStrangerSyncMs = -Infinity;

  constructor(
    private readonly ctx: NodeContext,
    private readonly dissemination: Dissemination,
    private readonly updates: Updates,
  ) {}

  /** The sync timer: one round with a random alive member, then the next round planned. */
  onSyncTimer(): void {
    this.startRound();
    this.ctx.timers.set('sync', '', this.ctx.nowMs + this.intervalMs());
  }

  /** Plans the next round within one interval for the table's current size (after a restore). */
  replan(): void {
    const ctx = this.ctx;
    ctx.timers.set('sync', '', ctx.nowMs + randomInt(ctx.random, this.intervalMs()));
  }

  private startRound(): void {
    const ctx = this.ctx;
    const table = ctx.table;
    const [peer] = table.sample(ctx.random, 1, (slot) => table.statusAt(slot) === 'alive' && table.nameAt(slot) !== ctx.name);
    if (peer === undefined) return;
    this.lastSyncMs = ctx.nowMs;
    this.dissemination.sendWithGossip(peer.addr, [syncMessage(ctx.table, false)], peer.name);
    ctx.stats.syncsStarted++;
  }

  /**
   * Our table just grew, so others' tables probably differ too (members joining at once, or a
   * seed that answered before it knew everyone). Gossip of a join is sent only
   * retransmitMult × log10(n+1) times, so with small multipliers some members miss it; an early
   * digest exchange with a random member closes that gap in seconds instead of a full
   * pushPullInterval. Paced to one per probeInterval × log2(n), so a join storm of a large
   * cluster cannot turn into a storm of full-state transfers; a stable cluster sends nothing extra.
   */
  syncSoon(): void {
    const ctx = this.ctx;
    const atMs = Math.max(ctx.nowMs + ctx.options.probeIntervalMs, this.lastSyncMs + this.gapMs());
    if (atMs < ctx.timers.deadlineOf('sync', '')) ctx.timers.set('sync', '', atMs);
  }

  /**
   * Pinged from an address no member has: we missed the gossip of its join (it is sent only
   * retransmitMult × log10(n+1) times). Our digest beside the ack makes it send us its table,
   * so the gap closes within one probe round instead of a push-pull interval. Paced like
   * syncSoon, so that in a join storm (every newcomer unknown to most for a moment) it cannot
   * become a storm of full-state transfers. The ack goes to this address anyway, so a spoofed
   * ping gains an attacker nothing. Undefined: no digest this time.
   */
  digestForStranger(from: Address): Sync | undefined {
    const ctx = this.ctx;
    if (ctx.table.hasAddress(addressKey(from)) || ctx.nowMs < this.lastStrangerSyncMs + this.gapMs()) return undefined;
    this.lastStrangerSyncMs = ctx.nowMs;
    ctx.stats.syncsStarted++;
    return syncMessage(ctx.table, false);
  }

  /** The least time between two extra anti-entropy rounds: probeInterval × log2(n). */
  private gapMs(): number {
    return this.ctx.options.probeIntervalMs * Math.max(1, Math.ceil(Math.log2(this.ctx.table.activeCount)));
  }

  private intervalMs(): number {
    return scaledPushPullIntervalMs(this.ctx.options.pushPullIntervalMs, this.ctx.table.activeCount);
  }

  onSync(sync: Sync, from: Address): void {
    if (!sync.join && sync.digest === this.ctx.table.digest) return;
    this.sendState(from, true);
  }

  /** Sends our whole table in packet-sized `state` chunks; the first asks for theirs back. */
  private sendState(to: Address, echo: boolean): void {
    const ctx = this.ctx;
    const { messageSize, packetOverheadBytes } = ctx.deps;
    const budget = ctx.options.maxPacketBytes - packetOverheadBytes - PROTOCOL_LIMITS.stateFramingBytes;
    const emptySize = messageSize({ type: 'state', echo, members: [] });
    let chunk: MemberState[] = [];
    let used = emptySize;
    let first = true;
    const flush = (): void => {
      const state: State = { type: 'state', echo: echo && first, members: chunk };
      ctx.send(to, [state]);
      first = false;
      chunk = [];
      used = emptySize;
    };
    for (const member of ctx.table.all()) {
      const entry = stateOf(member);
      const bytes = messageSize({ type: 'state', echo: false, members: [entry] }) - emptySize;
      if (chunk.length > 0 && (used + bytes > budget || chunk.length >= PROTOCOL_LIMITS.maxStateMembersPerPacket)) flush();
      chunk.push(entry);
      used += bytes;
    }
    if (chunk.length > 0) flush();
    ctx.stats.statesSent++;
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
  onState(state: State, from: Address): void {
    for (const entry of state.members) this.merge(entry);
    if (state.echo) this.sendState(from, false);
  }

  private merge(entry: MemberState): void {
    const ctx = this.ctx;
    const held = ctx.table.get(entry.name);
    switch (entry.status) {
      case 'alive':
        if (held !== undefined && held.name !== ctx.name && held.status === 'failed' && held.incarnation === entry.incarnation) {
          this.askMember(held, { type: 'failed', name: held.name, incarnation: held.incarnation, from: ctx.name });
          return;
        }
        this.updates.onAlive({ type: 'alive', name: entry.name, incarnation: entry.incarnation, addr: entry.addr, tags: entry.tags });
        return;
      case 'suspect':
      case 'failed':
        if (held?.name === ctx.name || (held !== undefined && entry.incarnation > held.incarnation)) {
          this.updates.onSuspect({ type: 'suspect', name: entry.name, incarnation: entry.incarnation, from: ctx.name });
        } else if (held !== undefined && held.status === 'alive' && entry.incarnation === held.incarnation) {
          this.askMember(held, { type: 'suspect', name: held.name, incarnation: held.incarnation, from: ctx.name });
        }
        return;
      case 'left':
        this.updates.onLeft({ type: 'left', name: entry.name, incarnation: entry.incarnation });
        return;
      default:
        assertNever(entry.status);
    }
  }

  /** Sends a member the accusation another table makes about it; if alive, it refutes to us. */
  private askMember(member: Member, accusation: Suspect | Failed): void {
    this.ctx.stats.disputesAsked++;
    this.dissemination.sendWithGossip(member.addr, [accusation], member.name);
  }
}

function stateOf(member: Member): MemberState {
  return { name: member.name, addr: member.addr, incarnation: member.incarnation, status: member.status, tags: member.tags };
}
