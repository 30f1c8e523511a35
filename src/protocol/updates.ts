import { aliveOf, type NodeContext } from './context.js';
import type { Dissemination } from './dissemination.js';
import { isActive, overrides, type Member } from './member.js';
import { ABSENT_SLOT } from './membership.js';
import type { Alive, Failed, Forget, Left, Ping, Suspect, UpdateMessage } from './messages.js';
import { randomInt } from './random.js';
import { Suspicion, suspicionBounds } from './suspicion.js';
import { TOLERANCE_CONFIRMATIONS, toleranceTiming, ToleranceSuspicion, type ToleranceTiming } from './tolerance.js';
import { assertNever, nextIncarnation, sameAddress, sameTags, type Address, type Incarnation, type NodeName, type SeqNo } from './types.js';

/** What updates tell the rest of the node; wired by the node (the parts do not import each other both ways). */
export interface UpdateHooks {
  /** A member we did not know appeared: others' tables probably differ too. */
  readonly tableGrew: () => void;
  /**
   * Someone held us failed: we were cut off from it (a healed partition), so our table likely
   * misses what happened on its side too.
   */
  readonly heldFailed: () => void;
  /**
   * A member we held failed is alive again: the cut between us healed, so our table likely
   * misses news that stayed on its side while it lasted (refutations gossiped there only).
   */
  readonly failedRevived: (name: NodeName) => void;
  /** With a pause tolerance: a suspicion we did not originate began; its monitors confirm it. */
  readonly suspicionHeard: (name: NodeName, originator: NodeName) => void;
  /** Whether we ourselves just stalled (StallGate): our view may be stale. */
  readonly stalledRecently: () => boolean;
}

/**
 * Membership updates and the suspicion lifecycle (SWIM §4.2, Lifeguard §IV-B): alive, suspect,
 * failed and left applied by precedence, refutation of accusations about ourselves, and the
 * suspicion timers that turn an unrefuted suspect into failed.
 */
export class Updates {
  private readonly suspicions = new Map<NodeName, Suspicion | ToleranceSuspicion>();
  /** Pings we sent a suspect with its suspicion attached, by sequence number (pause tolerance). */
  private readonly checkPings = new Map<SeqNo, NodeName>();
  /** Suspicions whose suspect we asked once more because they ran out while we were stalled. */
  private readonly checkedAfterStall = new Set<NodeName>();
  private readonly tolerance: ToleranceTiming | null;

  constructor(
    private readonly ctx: NodeContext,
    private readonly dissemination: Dissemination,
    private readonly hooks: UpdateHooks,
  ) {
    const toleranceMs = ctx.options.pauseToleranceMs;
    this.tolerance = toleranceMs === null ? null : toleranceTiming(ctx.options, toleranceMs);
  }

  onAlive(alive: Alive): void {
    const ctx = this.ctx;
    if (alive.name === ctx.name) {
      const self = ctx.self;
      const differs = !sameAddress(alive.addr, self.addr) || !sameTags(alive.tags, self.tags);
      // Another agent has our name (a holder answering our claim, or a claimant's gossip): say so here too.
      if (!sameAddress(alive.addr, self.addr)) {
        ctx.emit({ type: 'address-conflict', name: alive.name, held: self.addr, claimed: alive.addr });
      }
      if (alive.incarnation > self.incarnation || (alive.incarnation === self.incarnation && differs)) {
        this.refute('alive', alive.incarnation);
      }
      return;
    }
    const table = ctx.table;
    const slot = table.slotOf(alive.name);
    if (slot === ABSENT_SLOT) {
      this.addMember(alive);
      return;
    }
    // Most alives in a busy cluster are news we already have: decide that from the columns,
    // before reading the row out.
    const status = table.statusAt(slot);
    const incarnation = table.incarnationAt(slot);
    if (!overrides({ status: 'alive', incarnation: alive.incarnation }, { status, incarnation })) {
      if (status === 'alive' && incarnation === alive.incarnation) this.dissemination.heardAgain(alive, slot);
      return;
    }
    const member = table.memberAt(slot);
    if (!sameAddress(alive.addr, member.addr) && isActive(member.status)) {
      // Only a failed or departed member's name may move to a new address. The claimant is in
      // nobody's table, so nothing else would reach it: tell it who holds the name, and it logs
      // the conflict too (the self branch above).
      ctx.emit({ type: 'address-conflict', name: alive.name, held: member.addr, claimed: alive.addr });
      ctx.send(alive.addr, [aliveOf(member)]);
      return;
    }
    const previous = member.status;
    const changed = previous !== 'alive' || !sameAddress(alive.addr, member.addr) || !sameTags(alive.tags, member.tags);
    this.clearSuspicion(member.name);
    ctx.table.setState(member, 'alive', alive.incarnation);
    if (!sameAddress(alive.addr, member.addr) || !sameTags(alive.tags, member.tags)) ctx.table.setRecord(member, alive.addr, alive.tags);
    if (previous !== 'alive') {
      ctx.table.setOrigin(member, ctx.nowMs, alive.name);
      ctx.schedule.insert(member.name);
    }
    if (previous === 'failed') this.hooks.failedRevived(member.name);
    if (changed) ctx.emitChanged(member, previous);
    this.dissemination.enqueue(this.heldForm(alive, slot));
  }

  private addMember(alive: Alive): void {
    const ctx = this.ctx;
    const added: Member = {
      name: alive.name,
      addr: alive.addr,
      incarnation: alive.incarnation,
      status: 'alive',
      tags: alive.tags,
      sinceMs: ctx.nowMs,
      statusFrom: alive.name,
    };
    const slot = ctx.table.add(added);
    ctx.schedule.insert(added.name);
    this.hooks.tableGrew();
    ctx.emitChanged(added, null);
    this.dissemination.enqueue(this.heldForm(alive, slot), false, slot);
  }

  /**
   * `alive` as the queue should hold it: with the address and tags objects the table holds (one
   * per distinct address and tag set), not the ones decoded from the datagram. A queued alive
   * outlives its datagram by up to a minute in a big cluster, and an agent that learns members
   * from tables queues up to maxQueuedUpdates of them: the decoded copies were about 150 bytes
   * a queued member of its heap. (In the simulator a gossiped alive already holds the shared
   * objects, and stays one object for all its receivers.)
   */
  private heldForm(alive: Alive, slot: number): Alive {
    const table = this.ctx.table;
    const addr = table.addrAt(slot);
    const tags = table.tagsAt(slot);
    return alive.addr === addr && alive.tags === tags ? alive : { ...alive, addr, tags };
  }

  onSuspect(suspect: Suspect, source?: Address): void {
    const ctx = this.ctx;
    if (suspect.name === ctx.name) {
      if (suspect.incarnation >= ctx.self.incarnation && !ctx.leaving) this.refute('suspect', suspect.incarnation, source);
      else this.correctStale(ctx.self, suspect.incarnation, source);
      return;
    }
    const member = ctx.table.get(suspect.name);
    if (member === undefined) return;
    this.correctStale(member, suspect.incarnation, source);
    if (this.tolerance !== null && member.status === 'failed' && source !== undefined && suspect.incarnation <= member.incarnation) {
      // Still suspected by someone who missed the verdict (gossip reaches each member with high
      // probability, not certainty): tell it directly.
      ctx.send(source, [{ type: 'failed', name: member.name, incarnation: member.incarnation, from: member.statusFrom }]);
      return;
    }
    const running = this.suspicions.get(member.name);
    if (member.status === 'suspect' && running !== undefined && suspect.incarnation === member.incarnation) {
      // Lifeguard §IV-B: an independent confirmation shortens the timeout; pass it on.
      if (running instanceof ToleranceSuspicion) {
        const confirmed = running.confirm(suspect.from, ctx.nowMs - (suspect.ageMs ?? 0), ctx.name);
        this.armSuspicion(member.name, running.wakeMs());
        if (confirmed) this.dissemination.enqueue(suspect);
      } else if (running.confirm(suspect.from)) {
        this.armSuspicion(member.name, running.deadlineMs());
        this.dissemination.enqueue(suspect);
      }
      return;
    }
    if (!overrides({ status: 'suspect', incarnation: suspect.incarnation }, member)) return;
    const previous = member.status;
    ctx.table.setState(member, 'suspect', suspect.incarnation);
    ctx.table.setOrigin(member, ctx.nowMs, suspect.from);
    const o = ctx.options;
    const bounds = suspicionBounds(ctx.table.activeCount, o.probeIntervalMs, o.suspicionMult, o.suspicionMaxTimeoutMult);
    if (this.tolerance === null) {
      const suspicion = new Suspicion(suspect.incarnation, ctx.nowMs, suspect.from, bounds);
      this.suspicions.set(member.name, suspicion);
      this.armSuspicion(member.name, suspicion.deadlineMs());
    } else {
      const evidenceStartMs = ctx.nowMs - (suspect.ageMs ?? 0);
      const expected = Math.min(TOLERANCE_CONFIRMATIONS, bounds.expectedConfirmations);
      const suspicion = new ToleranceSuspicion(suspect.incarnation, evidenceStartMs, suspect.from, ctx.name, expected, this.tolerance);
      this.suspicions.set(member.name, suspicion);
      this.armSuspicion(member.name, suspicion.wakeMs());
    }
    if (suspect.from === ctx.name) ctx.stats.suspicionsStarted++;
    ctx.emitChanged(member, previous);
    this.dissemination.enqueue(suspect);
    if (this.tolerance !== null && suspect.from !== ctx.name) this.hooks.suspicionHeard(member.name, suspect.from);
  }

  /**
   * A queued suspect message about to be sent, with its age brought up to date: receivers then
   * time the suspicion from when its evidence began, not from when they heard of it.
   */
  freshen(update: UpdateMessage): UpdateMessage {
    if (update.type !== 'suspect' || update.ageMs === undefined) return update;
    const suspicion = this.suspicions.get(update.name);
    if (!(suspicion instanceof ToleranceSuspicion)) return update;
    return { ...update, ageMs: Math.max(0, Math.round(this.ctx.nowMs - suspicion.startMs)) };
  }

  /** The suspicion timer of `name` ran out. */
  suspicionExpired(name: NodeName): void {
    const ctx = this.ctx;
    const member = ctx.table.get(name);
    const suspicion = this.suspicions.get(name);
    if (member === undefined || suspicion === undefined || member.status !== 'suspect') return;
    if (this.hooks.stalledRecently() && !this.checkedAfterStall.has(name)) {
      // The suspicion ran out while we were frozen: the refutation may be among what we have
      // not heard yet (gossip goes on without us). Ask the suspect before judging it.
      this.checkedAfterStall.add(name);
      this.askSuspect(member, suspicion);
      this.armSuspicion(name, ctx.nowMs + 2 * ctx.awareness.scale(ctx.options.probeTimeoutMs));
      return;
    }
    if (suspicion instanceof ToleranceSuspicion) {
      this.toleranceStep(member, suspicion);
      return;
    }
    if (suspicion.unconfirmed && !suspicion.finalCheckSent) {
      this.finalCheck(member, suspicion);
      return;
    }
    ctx.stats.suspicionsConfirmed++;
    this.onFailed({ type: 'failed', name, incarnation: member.incarnation, from: ctx.name });
  }

  /**
   * A suspicion that ran to its end without the confirmations others would send if they saw
   * the same: maybe we are the one who missed a refutation (lost gossip). Before declaring
   * failed, ping the suspect once more with the suspicion attached (buddy system): a live
   * suspect refutes it, or answers a stale one with its current alive (correctStale).
   */
  private finalCheck(member: Member, suspicion: Suspicion): void {
    const ctx = this.ctx;
    suspicion.finalCheckSent = true;
    this.askSuspect(member, suspicion);
    // A round trip, plus the refutation's own trip back.
    this.armSuspicion(member.name, ctx.nowMs + 2 * ctx.awareness.scale(ctx.options.probeTimeoutMs));
  }

  /**
   * The suspect acked one of our check pings: it is alive, and its refutation is on its way (it
   * read the suspicion with the ping). With a pause tolerance we then do not fail it on our own
   * for another tolerance: its refutation, or someone's verdict, settles it meanwhile.
   */
  onCheckAck(seq: SeqNo): void {
    const name = this.checkPings.get(seq);
    if (name === undefined) return;
    this.checkPings.delete(seq);
    const suspicion = this.suspicions.get(name);
    if (!(suspicion instanceof ToleranceSuspicion)) return;
    suspicion.heardFromSuspect(this.ctx.nowMs);
    this.armSuspicion(name, suspicion.wakeMs());
  }

  /** Pings the suspect with the suspicion attached (buddy system): alive, it refutes to us. */
  private askSuspect(member: Member, suspicion: Suspicion | ToleranceSuspicion): void {
    const ctx = this.ctx;
    ctx.stats.finalChecks++;
    const ping: Ping = { type: 'ping', seq: ctx.nextSeq(), target: member.name };
    if (suspicion instanceof ToleranceSuspicion) this.checkPings.set(ping.seq, member.name);
    const suspect: Suspect = { type: 'suspect', name: member.name, incarnation: member.incarnation, from: ctx.name };
    const withAge: Suspect =
      suspicion instanceof ToleranceSuspicion ? { ...suspect, ageMs: Math.round(ctx.nowMs - suspicion.startMs) } : suspect;
    this.dissemination.sendWithGossip(member.addr, [ping, withAge], member.name);
  }

  private toleranceStep(member: Member, suspicion: ToleranceSuspicion): void {
    const ctx = this.ctx;
    const step = suspicion.step(ctx.nowMs);
    switch (step.kind) {
      case 'final-check':
        // The tolerated silence is over: a member that was only paused has resumed, and answers
        // this with its refutation (it reads the suspicion attached).
        this.askSuspect(member, suspicion);
        this.armSuspicion(member.name, suspicion.wakeMs());
        return;
      case 'ask': {
        // Passed to an evidence holder as if passing the suspicion on: holding `failed` (or a
        // newer alive) it answers with it. Unconfirmed, the suspect is asked too: alive, it refutes.
        const holders = suspicion.evidenceHolders().filter((name) => name !== ctx.name);
        const holder = ctx.table.get(holders[randomInt(ctx.random, holders.length)] ?? suspicion.originator);
        const suspect: Suspect = {
          type: 'suspect',
          name: member.name,
          incarnation: member.incarnation,
          from: suspicion.originator,
          ageMs: Math.round(ctx.nowMs - suspicion.startMs),
        };
        if (holder !== undefined && holder.name !== ctx.name) ctx.send(holder.addr, [suspect]);
        if (step.alsoSuspect) this.askSuspect(member, suspicion);
        this.armSuspicion(member.name, suspicion.wakeMs());
        return;
      }
      case 'wait':
        this.armSuspicion(member.name, step.untilMs);
        return;
      case 'fail':
        ctx.stats.suspicionsConfirmed++;
        this.onFailed({ type: 'failed', name: member.name, incarnation: member.incarnation, from: ctx.name });
        return;
      default:
        assertNever(step);
    }
  }

  onFailed(failed: Failed, source?: Address): void {
    const ctx = this.ctx;
    if (failed.name === ctx.name) {
      if (failed.incarnation >= ctx.self.incarnation && !ctx.leaving) this.refute('failed', failed.incarnation, source);
      else this.correctStale(ctx.self, failed.incarnation, source);
      return;
    }
    const member = ctx.table.get(failed.name);
    if (member === undefined) return;
    this.correctStale(member, failed.incarnation, source);
    if (!overrides({ status: 'failed', incarnation: failed.incarnation }, member)) return;
    this.markDown(member, 'failed', failed.incarnation, failed.from);
    this.dissemination.enqueue(failed);
  }

  onLeft(left: Left): void {
    const ctx = this.ctx;
    if (left.name === ctx.name) {
      // A `left` from an earlier life of ours (same name, restarted): answer it.
      if (left.incarnation >= ctx.self.incarnation && !ctx.leaving) this.refute('left', left.incarnation);
      return;
    }
    const member = ctx.table.get(left.name);
    if (member === undefined) return;
    if (!overrides({ status: 'left', incarnation: left.incarnation }, member)) return;
    this.markDown(member, 'left', left.incarnation, left.name);
    this.dissemination.enqueue(left);
  }

  /**
   * `gossipd force-leave --prune`: forget a member that is down (failed or left) at once, as
   * the reap would later. A live member (or a newer life of it) ignores it, and so do we.
   */
  onForget(forget: Forget): void {
    const ctx = this.ctx;
    if (forget.name === ctx.name) return;
    const member = ctx.table.get(forget.name);
    if (member === undefined || isActive(member.status) || member.incarnation > forget.incarnation) return;
    ctx.table.remove(member.name);
    ctx.queue.remove(member.name);
    ctx.emit({ type: 'member-reaped', name: member.name });
    this.dissemination.enqueue(forget);
  }

  private markDown(member: Member, status: 'failed' | 'left', incarnation: Incarnation, by: NodeName): void {
    const ctx = this.ctx;
    const previous = member.status;
    this.clearSuspicion(member.name);
    ctx.table.setState(member, status, incarnation);
    ctx.table.setOrigin(member, ctx.nowMs, by);
    ctx.emitChanged(member, previous);
  }

  /** Someone doubts us: raise our incarnation above the accusation and say so first. */
  private refute(accusation: 'suspect' | 'failed' | 'left' | 'alive', heard: Incarnation, accuser?: Address): void {
    const ctx = this.ctx;
    // u32 on the wire: a (buggy or hostile) peer claiming the maximum cannot make us overflow.
    const incarnation = nextIncarnation(heard > ctx.self.incarnation ? heard : ctx.self.incarnation);
    ctx.table.setState(ctx.self, ctx.self.status, incarnation);
    if (accusation === 'suspect' || accusation === 'failed') ctx.awareness.apply(1);
    ctx.stats.refutations++;
    ctx.emit({ type: 'refuted', accusation, incarnation });
    this.dissemination.enqueue(ctx.selfAlive(), true);
    // Whoever brought the accusation hears the answer at once, even if it is on the far side
    // of a healed partition where our gossip does not reach yet.
    if (accuser !== undefined) this.dissemination.sendWithGossip(accuser, [ctx.selfAlive()]);
    if (accusation === 'failed') this.hooks.heldFailed();
  }

  /**
   * Someone passed us an accusation older than a refutation we already hold: they missed the
   * refutation. Gossip of it is over by now, and their stale suspicion would run to its full
   * timeout and fail a live member, so send them the current `alive` directly.
   */
  private correctStale(member: Member, heardIncarnation: Incarnation, source: Address | undefined): void {
    if (source === undefined || heardIncarnation >= member.incarnation || member.status !== 'alive') return;
    this.ctx.stats.staleCorrections++;
    this.dissemination.sendWithGossip(source, [aliveOf(member)]);
  }

  /**
   * Sets a suspicion's timer. Its deadline counts from when the suspicion (or its evidence)
   * began, so a confirmation can move it into the past; the timer is then due now, not late:
   * the stall gate takes a timer more than its tolerance late for a stall of our own.
   */
  private armSuspicion(name: NodeName, atMs: number): void {
    this.ctx.timers.set('suspicion', name, Math.max(atMs, this.ctx.nowMs));
  }

  private clearSuspicion(name: NodeName): void {
    if (!this.suspicions.delete(name)) return;
    this.ctx.timers.cancel('suspicion', name);
    this.checkedAfterStall.delete(name);
    for (const [seq, suspect] of this.checkPings) if (suspect === name) this.checkPings.delete(seq);
  }
}
