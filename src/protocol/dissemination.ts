import { retransmitLimit } from './broadcast-queue.js';
import type { NodeContext } from './context.js';
import { PROTOCOL_LIMITS } from './limits.js';
import { isActive, type Member } from './member.js';
import type { Message, UpdateMessage } from './messages.js';
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

  enqueue(message: UpdateMessage, priority = false): void {
    const ctx = this.ctx;
    ctx.queue.enqueue(message, ctx.deps.messageSize(largestForm(message)), priority);
    // The gossip ticker runs only while there is something to gossip: an idle cluster wakes
    // for its probes alone (a thousand agents in one process notice the difference).
    if (!ctx.timers.isSet('gossip', '')) {
      ctx.timers.set('gossip', '', ctx.nowMs + randomInt(ctx.random, ctx.options.gossipIntervalMs));
    }
  }

  /** Sends `primary` with as many queued updates as fit in the packet. */
  sendWithGossip(to: Address, primary: Message[], recipient?: NodeName): void {
    const ctx = this.ctx;
    let used = ctx.deps.packetOverheadBytes;
    for (const message of primary) used += ctx.deps.messageSize(message);
    const updates = ctx.queue.take(ctx.options.maxPacketBytes - used, this.retransmitLimit(), recipient);
    for (const update of updates) primary.push(this.freshen(update));
    ctx.send(to, primary);
    this.checkLeaveSpread();
  }

  /** The gossip timer: one packet of queued updates to each of gossipFanout random members. */
  onGossipTimer(): void {
    this.gossip();
    const ctx = this.ctx;
    if (ctx.queue.size > 0) ctx.timers.set('gossip', '', ctx.nowMs + ctx.options.gossipIntervalMs);
  }

  gossip(): void {
    const ctx = this.ctx;
    if (ctx.queue.size === 0) return;
    const budget = ctx.options.maxPacketBytes - ctx.deps.packetOverheadBytes;
    for (const target of this.targets(ctx.options.gossipFanout)) {
      const updates = ctx.queue.take(budget, this.retransmitLimit(), target.name);
      if (updates.length === 0) break;
      ctx.send(target.addr, updates.map((update) => this.freshen(update)));
    }
    this.checkLeaveSpread();
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
