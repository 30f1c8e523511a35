import { retransmitLimit, userEventTransmitLimit } from './broadcast-queue.js';
import type { NodeContext } from './context.js';
import { PROTOCOL_LIMITS } from './limits.js';
import { isActive, type Member } from './member.js';
import type { Alive, Message, UpdateMessage, UserEvent } from './messages.js';
import { randomInt } from './random.js';
import type { Address, NodeName } from './types.js';

/**
 * Dissemination (SWIM §4.1): updates wait in a transmit-limited queue and ride on every packet
 * we send (piggybacking), and on gossip packets to a few random members each gossip interval.
 */
export class Dissemination {
  constructor(
    private readonly ctx: NodeContext,
    /** Brings a queued update up to date as it is sent (a suspicion's age). */
    private readonly freshen: (update: UpdateMessage) => UpdateMessage = (update) => update,
  ) {}

  /** `echoSlot`: the news of a member new to us, at this table slot, whose copies from peers count as our sends (heardAgain). */
  enqueue(message: UpdateMessage, priority = false, echoSlot = -1): void {
    const ctx = this.ctx;
    ctx.queue.enqueue(message, ctx.deps.messageSize(largestForm(message)), priority, echoSlot);
    this.wakeGossip();
  }

  /**
   * A peer sent us an `alive` we hold. While our queue is long (a join storm), an `alive` we
   * queued because it told us of a member new to us counts that copy as one of our own
   * transmissions: rumour mongering with feedback (Demers et al., 1987). After a storm every
   * member otherwise kept sending each join its full λ log n times, long after all had it: at
   * 1,000 joining, 2,742 B/member/s over two minutes against 640 with the feedback, and at
   * 3,000 fresh joins waited behind that echo (converged in 18.3 s, now 15.5). Refutations and
   * revivals are never cut short, nor anything in a short queue: counting every `alive` slowed
   * 50 members joining under 10 % loss, and once left 1,000 at 10 % loss unconverged for a
   * minute (bench/results/2026-12-02/dup-counting/).
   */
  heardAgain(alive: Alive, slot: number): void {
    const queue = this.ctx.queue;
    if (queue.size <= PROTOCOL_LIMITS.updateBacklog) return;
    queue.heardAgain(slot, alive, this.retransmitLimit());
  }

  /** Queues a user event on its own queue (bounded: the most-sent goes first when full). */
  enqueueEvent(event: UserEvent): void {
    const ctx = this.ctx;
    ctx.eventQueue.enqueue(event, ctx.deps.messageSize(event));
    this.wakeGossip();
  }

  /**
   * Sends `primary` with as many queued updates (then user events) as fit in the packet (and,
   * to an unvalidated source, in its anti-amplification room).
   */
  sendWithGossip(to: Address, primary: Message[], recipient?: NodeName): void {
    const ctx = this.ctx;
    const used = ctx.datagramBytes(primary);
    const room = Math.min(ctx.options.maxPacketBytes, ctx.replyBudget.roomFor(to));
    if (room > used) primary.push(...this.takeQueued(room - used, recipient));
    ctx.send(to, primary);
    this.checkLeaveSpread();
  }

  /** The gossip timer: one packet of queued updates to each of gossipFanout random members. */
  onGossipTimer(): void {
    this.gossip();
    const ctx = this.ctx;
    if (this.pending()) ctx.timers.set('gossip', '', ctx.nowMs + ctx.options.gossipIntervalMs);
  }

  gossip(): void {
    const ctx = this.ctx;
    if (!this.pending()) return;
    const budget = ctx.options.maxPacketBytes - ctx.deps.packetOverheadBytes;
    for (const target of this.targets(ctx.options.gossipFanout)) {
      const messages = this.takeQueued(budget, target.name);
      if (messages.length === 0) break;
      ctx.send(target.addr, messages);
    }
    this.checkLeaveSpread();
  }

  /** Membership updates first (they keep the member list right), user events in the room left. */
  private takeQueued(budgetBytes: number, recipient?: NodeName): Message[] {
    const ctx = this.ctx;
    const messages: Message[] = ctx.queue.take(budgetBytes, this.retransmitLimit(), recipient).map((update) => this.freshen(update));
    if (ctx.eventQueue.size === 0) return messages;
    let room = budgetBytes;
    for (const message of messages) room -= ctx.deps.messageSize(message);
    messages.push(...ctx.eventQueue.take(room, userEventTransmitLimit(ctx.options.retransmitMult, ctx.table.activeCount), recipient));
    return messages;
  }

  private pending(): boolean {
    return this.ctx.queue.size > 0 || this.ctx.eventQueue.size > 0;
  }

  /**
   * The gossip ticker runs only while there is something to gossip: an idle cluster wakes for
   * its probes alone (a thousand agents in one process notice the difference).
   */
  private wakeGossip(): void {
    const ctx = this.ctx;
    if (!ctx.timers.isSet('gossip', '')) {
      ctx.timers.set('gossip', '', ctx.nowMs + randomInt(ctx.random, ctx.options.gossipIntervalMs));
    }
  }

  /** Random live members, plus recently failed ones so a false failure can still be refuted. */
  targets(count: number): Member[] {
    const ctx = this.ctx;
    const deadCutoff = ctx.nowMs - ctx.options.gossipToTheDeadTimeMs;
    const table = ctx.table;
    return table.sample(ctx.random, count, (slot) => {
      if (table.nameAt(slot) === ctx.name) return false;
      const status = table.statusAt(slot);
      return isActive(status) || (status === 'failed' && table.sinceAt(slot) >= deadCutoff);
    });
  }

  private checkLeaveSpread(): void {
    if (this.ctx.leaving && !this.ctx.queue.has(this.ctx.name)) this.ctx.reportLeaveFinished();
  }

  private retransmitLimit(): number {
    return retransmitLimit(this.ctx.options.retransmitMult, this.ctx.table.activeCount);
  }
}

/** An update as large as it can grow while queued (a suspicion's age only grows), so packets never overfill. */
function largestForm(update: UpdateMessage): UpdateMessage {
  return update.type === 'suspect' && update.ageMs !== undefined ? { ...update, ageMs: PROTOCOL_LIMITS.maxUint32 } : update;
}
