import { randomInt, shuffle, type Random } from './random.js';
import type { NodeName } from './types.js';

/**
 * Shuffled round-robin probe order (SWIM §4.3): walk a shuffled list, reshuffle at the end of
 * each pass, insert newcomers at random positions. Every live member is probed at least once
 * per pass, which bounds first detection to 2n − 1 periods.
 */
export class ProbeOrder {
  private order: NodeName[] = [];
  private readonly listed = new Set<NodeName>();
  private index = 0;

  constructor(private readonly random: Random) {}

  /** Adds a member at a random position (O(1): swap with the end, as memberlist does). */
  insert(name: NodeName): void {
    if (this.listed.has(name)) return;
    this.listed.add(name);
    this.order.push(name);
    const last = this.order.length - 1;
    const j = this.index + randomInt(this.random, last - this.index + 1);
    const held = this.order[j] as NodeName;
    this.order[j] = name;
    this.order[last] = held;
  }

  /**
   * The next member to probe among those `eligible` accepts; members no longer eligible are
   * dropped as they come up. `refill` lists all eligible members for the next pass.
   */
  next(eligible: (name: NodeName) => boolean, refill: () => NodeName[]): NodeName | undefined {
    for (let pass = 0; pass < 2; pass++) {
      while (this.index < this.order.length) {
        const name = this.order[this.index++] as NodeName;
        if (eligible(name)) return name;
        this.listed.delete(name);
      }
      this.order = shuffle(this.random, refill());
      this.listed.clear();
      for (const name of this.order) this.listed.add(name);
      this.index = 0;
    }
    return undefined;
  }
}
