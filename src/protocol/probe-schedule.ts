import { isActive } from './member.js';
import type { Membership } from './membership.js';
import { ProbeOrder } from './probe-order.js';
import type { Random } from './random.js';
import type { NodeName } from './types.js';

/** Who to probe next: one member per protocol period. */
export interface ProbeSchedule {
  /** A member became active (joined, or came back). */
  insert(name: NodeName): void;
  /** Room for `extra` members about to be inserted at once (a restore). */
  reserve(extra: number): void;
  /** This period's target, or undefined when there is nobody to probe. */
  next(): NodeName | undefined;
}

/** How probe targets are chosen (ProtocolOptions.probeSchedule). */
export type ProbeScheduleKind = 'round-robin' | 'ring';

export function createProbeSchedule(kind: ProbeScheduleKind, self: NodeName, table: Membership, random: Random): ProbeSchedule {
  return kind === 'ring' ? new RingSchedule(self, table) : new RoundRobinSchedule(self, table, random);
}

/**
 * SWIM §4.3 and memberlist: each member walks its own shuffled list of the others. A given
 * member is probed by nobody in a period with probability ≈ e⁻¹, so a crash waits 1.6 periods
 * for its first probe on average and about 4.6 at p99.
 */
class RoundRobinSchedule implements ProbeSchedule {
  private readonly order: ProbeOrder;

  constructor(
    private readonly self: NodeName,
    private readonly table: Membership,
    random: Random,
  ) {
    this.order = new ProbeOrder(random, table.roster);
  }

  insert(name: NodeName): void {
    const id = this.table.roster.names.lookup(name);
    if (id !== undefined) this.order.insert(id);
  }

  reserve(extra: number): void {
    this.order.reserve(extra);
  }

  next(): NodeName | undefined {
    const table = this.table;
    const selfId = table.roster.names.lookup(this.self);
    const id = this.order.next(
      (candidate) => candidate !== selfId && table.isActiveId(candidate),
      () => this.activeOthers(),
    );
    return id === undefined ? undefined : table.roster.nameOf(id);
  }

  private activeOthers(): Int32Array {
    const table = this.table;
    const ids = new Int32Array(table.activeCount);
    let count = 0;
    for (let slot = 0; slot < table.size; slot++) {
      if (table.nameAt(slot) !== this.self && isActive(table.statusAt(slot))) ids[count++] = table.idAt(slot);
    }
    return ids.subarray(0, count);
  }
}

/**
 * Each member probes its successor on the hash ring, skipping members already suspected, so
 * every live member has a prober every period (while the members agree on who is in the
 * ring): a crash waits at most one period for its first probe. A suspected member's
 * predecessor moves on to the next member, so two neighbours crashing together are both found.
 */
class RingSchedule implements ProbeSchedule {
  constructor(
    private readonly self: NodeName,
    private readonly table: Membership,
  ) {}

  insert(): void {
    // The ring is kept by the member table itself.
  }

  reserve(): void {
    // Likewise.
  }

  next(): NodeName | undefined {
    return this.table.ring.after(this.self, (name) => this.table.statusOf(name) === 'alive');
  }
}
