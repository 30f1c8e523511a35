import { aliveOf, type NodeContext } from './context.js';
import type { Dissemination } from './dissemination.js';
import { isActive, overrides, type Member } from './member.js';
import type { Alive, Failed, Left, Ping, Suspect } from './messages.js';
import { Suspicion, suspicionBounds } from './suspicion.js';
import { nextIncarnation, sameAddress, sameTags, type Address, type Incarnation, type NodeName } from './types.js';

/**
 * Membership updates and the suspicion lifecycle (SWIM §4.2, Lifeguard §IV-B): alive, suspect,
 * failed and left applied by precedence, refutation of accusations about ourselves, and the
 * suspicion timers that turn an unrefuted suspect into failed.
 */
export class Updates {
  private readonly suspicions = new Map<NodeName, Suspicion>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly dissemination: Dissemination,
    /** Called when a member we did not know appears: others' tables probably differ too. */
    private readonly onTableGrew: () => void,
  ) {}

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
    const member = ctx.table.get(alive.name);
    if (member === undefined) {
      this.addMember(alive);
      return;
    }
    if (!overrides({ status: 'alive', incarnation: alive.incarnation }, member)) return;
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
    if (!sameAddress(alive.addr, member.addr)) ctx.table.setAddress(member, alive.addr);
    member.tags = alive.tags;
    if (previous !== 'alive') {
      member.sinceMs = ctx.nowMs;
      member.statusFrom = alive.name;
      ctx.order.insert(member.name);
    }
    if (changed) ctx.emitChanged(member, previous);
    this.dissemination.enqueue(alive);
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
    ctx.table.add(added);
    ctx.order.insert(added.name);
    this.onTableGrew();
    ctx.emitChanged(added, null);
    this.dissemination.enqueue(alive);
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
    const running = this.suspicions.get(member.name);
    if (member.status === 'suspect' && running !== undefined && suspect.incarnation === member.incarnation) {
      // Lifeguard §IV-B: an independent confirmation shortens the timeout; pass it on.
      if (running.confirm(suspect.from)) {
        ctx.timers.set('suspicion', member.name, running.deadlineMs());
        this.dissemination.enqueue(suspect);
      }
      return;
    }
    if (!overrides({ status: 'suspect', incarnation: suspect.incarnation }, member)) return;
    const previous = member.status;
    ctx.table.setState(member, 'suspect', suspect.incarnation);
    member.sinceMs = ctx.nowMs;
    member.statusFrom = suspect.from;
    const o = ctx.options;
    const bounds = suspicionBounds(ctx.table.activeCount, o.probeIntervalMs, o.suspicionMult, o.suspicionMaxTimeoutMult);
    const suspicion = new Suspicion(suspect.incarnation, ctx.nowMs, suspect.from, bounds);
    this.suspicions.set(member.name, suspicion);
    ctx.timers.set('suspicion', member.name, suspicion.deadlineMs());
    if (suspect.from === ctx.name) ctx.stats.suspicionsStarted++;
    ctx.emitChanged(member, previous);
    this.dissemination.enqueue(suspect);
  }

  /** The suspicion timer of `name` ran out. */
  suspicionExpired(name: NodeName): void {
    const ctx = this.ctx;
    const member = ctx.table.get(name);
    const suspicion = this.suspicions.get(name);
    if (member === undefined || suspicion === undefined || member.status !== 'suspect') return;
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
    ctx.stats.finalChecks++;
    const ping: Ping = { type: 'ping', seq: ctx.nextSeq(), target: member.name };
    const suspect: Suspect = { type: 'suspect', name: member.name, incarnation: member.incarnation, from: ctx.name };
    this.dissemination.sendWithGossip(member.addr, [ping, suspect], member.name);
    // A round trip, plus the refutation's own trip back.
    ctx.timers.set('suspicion', member.name, ctx.nowMs + 2 * ctx.awareness.scale(ctx.options.probeTimeoutMs));
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

  private markDown(member: Member, status: 'failed' | 'left', incarnation: Incarnation, by: NodeName): void {
    const ctx = this.ctx;
    const previous = member.status;
    this.clearSuspicion(member.name);
    ctx.table.setState(member, status, incarnation);
    member.sinceMs = ctx.nowMs;
    member.statusFrom = by;
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

  private clearSuspicion(name: NodeName): void {
    if (this.suspicions.delete(name)) this.ctx.timers.cancel('suspicion', name);
  }
}
