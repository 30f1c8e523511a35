import { spreadHash } from './hash.js';
import type { Roster } from './roster.js';
import type { NodeName } from './types.js';

/**
 * The active members placed on a ring by the hash of their name. Every member that knows the
 * same members computes the same ring, so "my successor" is an assignment all agree on
 * without a message: each member has one prober every period (Rapid's monitoring ring, one
 * ring deep). A sorted array of roster ids (4 bytes a member; the hashes live in the roster):
 * O(log n) lookups, O(n) moves per insert or removal. Members added in bulk (a restore of a
 * whole table) are appended unsorted and sorted once, when the ring is next read.
 */
export class HashRing {
  private ids: Int32Array = new Int32Array(4);
  private count = 0;
  /** Ids from `sortedCount` on were appended in bulk and are not in order yet. */
  private sortedCount = 0;

  constructor(private readonly roster: Roster) {}

  get size(): number {
    return this.count;
  }

  /** Adds the member with roster id `id` (a no-op if it is on the ring). */
  insert(id: number): void {
    this.sort();
    const index = this.lowerBound(this.roster.ringHashOf(id), this.roster.nameOf(id));
    if (index < this.count && this.ids[index] === id) return;
    this.reserve(1);
    this.ids.copyWithin(index + 1, index, this.count);
    this.ids[index] = id;
    this.count++;
    this.sortedCount = this.count;
  }

  /**
   * Adds a member known not to be on the ring yet, in O(1): the ring sorts itself when next
   * read. For filling a table in bulk.
   */
  append(id: number): void {
    this.reserve(1);
    this.ids[this.count++] = id;
  }

  /** Room for `extra` more members. */
  reserve(extra: number): void {
    if (this.count + extra <= this.ids.length) return;
    const grown = new Int32Array(Math.max(this.count + extra, Math.ceil(this.ids.length * 1.5)));
    grown.set(this.ids.subarray(0, this.count));
    this.ids = grown;
  }

  remove(id: number): void {
    this.sort();
    const index = this.lowerBound(this.roster.ringHashOf(id), this.roster.nameOf(id));
    if (index >= this.count || this.ids[index] !== id) return;
    this.ids.copyWithin(index, index + 1, this.count);
    this.count--;
  }

  /** The first member after `name` (clockwise, `name` itself excluded) that `accept` takes. */
  after(name: NodeName, accept: (name: NodeName) => boolean): NodeName | undefined {
    this.sort();
    const n = this.count;
    const start = this.lowerBound(spreadHash(name), name);
    for (let step = 0; step < n; step++) {
      const candidate = this.nameAt((start + step) % n);
      if (candidate !== name && accept(candidate)) return candidate;
    }
    return undefined;
  }

  /** Up to `count` members before `name` (counter-clockwise, nearest first) that `accept` takes. */
  before(name: NodeName, count: number, accept: (name: NodeName) => boolean): NodeName[] {
    this.sort();
    const n = this.count;
    const found: NodeName[] = [];
    const start = this.lowerBound(spreadHash(name), name);
    for (let step = 1; step <= n && found.length < count; step++) {
      const candidate = this.nameAt((((start - step) % n) + n) % n);
      if (candidate !== name && accept(candidate)) found.push(candidate);
    }
    return found;
  }

  private sort(): void {
    if (this.sortedCount === this.count) return;
    const roster = this.roster;
    this.ids.subarray(0, this.count).sort((a, b) => {
      const x = roster.ringHashOf(a);
      const y = roster.ringHashOf(b);
      if (x !== y) return x - y;
      const p = roster.nameOf(a);
      const q = roster.nameOf(b);
      return p < q ? -1 : p > q ? 1 : 0;
    });
    this.sortedCount = this.count;
  }

  private nameAt(index: number): NodeName {
    return this.roster.nameOf(this.ids[index] as number);
  }

  /** Index of the first position not before (hash, name): hash first, then name breaks ties. */
  private lowerBound(hash: number, name: NodeName): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const id = this.ids[mid] as number;
      const atHash = this.roster.ringHashOf(id);
      if (atHash < hash || (atHash === hash && this.roster.nameOf(id) < name)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
