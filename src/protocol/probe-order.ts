import { randomInt, shuffle, type Random } from './random.js';
import type { Roster } from './roster.js';

/**
 * Shuffled round-robin probe order (SWIM §4.3): walk a shuffled list, reshuffle at the end of
 * each pass, insert newcomers at random positions. Every live member is probed at least once
 * per pass, which bounds first detection to 2n − 1 periods. Holds roster ids (4 bytes a
 * member, and a byte for "listed"), each with a roster reference while it is in the list, so
 * an id in it always means the same name.
 */
export class ProbeOrder {
  private order: Int32Array = new Int32Array(4);
  private length = 0;
  /** By roster id: 1 while the id is listed and not yet dropped. */
  private listed: Uint8Array = new Uint8Array(0);
  private index = 0;

  constructor(
    private readonly random: Random,
    private readonly roster: Roster,
  ) {}

  /** Adds a member at a random position (O(1): swap with the end, as memberlist does). */
  insert(id: number): void {
    if (this.isListed(id)) return;
    this.list(id);
    if (this.length === this.order.length) this.order = copyOf(this.order, Math.max(4, Math.ceil(this.length * 1.5)), this.length);
    this.order[this.length++] = id;
    const last = this.length - 1;
    const j = this.index + randomInt(this.random, last - this.index + 1);
    const held = this.order[j] as number;
    this.order[j] = id;
    this.order[last] = held;
  }

  /**
   * The next member to probe among those `eligible` accepts; members no longer eligible are
   * dropped as they come up. `refill` lists all eligible members for the next pass.
   */
  next(eligible: (id: number) => boolean, refill: () => Int32Array): number | undefined {
    for (let pass = 0; pass < 2; pass++) {
      while (this.index < this.length) {
        const id = this.order[this.index++] as number;
        if (eligible(id)) return id;
        this.listed[id] = 0;
      }
      const fresh = shuffle(this.random, refill());
      for (let i = 0; i < this.length; i++) {
        const id = this.order[i] as number;
        this.listed[id] = 0;
        this.roster.names.release(id);
      }
      for (const id of fresh) this.list(id);
      this.order = fresh;
      this.length = fresh.length;
      this.index = 0;
    }
    return undefined;
  }

  /** Room for `extra` more members without growing step by step (a restore of a whole table). */
  reserve(extra: number): void {
    if (this.length + extra > this.order.length) this.order = copyOf(this.order, this.length + extra, this.length);
  }

  /** Lets go of every id held (the node is discarded). */
  clear(): void {
    for (let i = 0; i < this.length; i++) this.roster.names.release(this.order[i] as number);
    this.length = 0;
    this.index = 0;
    this.listed.fill(0);
  }

  private isListed(id: number): boolean {
    return id < this.listed.length && this.listed[id] === 1;
  }

  private list(id: number): void {
    if (id >= this.listed.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.roster.names.idBound, Math.ceil(this.listed.length * 1.5)));
      grown.set(this.listed);
      this.listed = grown;
    }
    this.listed[id] = 1;
    this.roster.names.retain(id);
  }
}

function copyOf(array: Int32Array, capacity: number, length: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array.subarray(0, length));
  return grown;
}
