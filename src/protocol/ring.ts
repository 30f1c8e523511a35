import { spreadHash } from './hash.js';
import type { NodeName } from './types.js';

interface Position {
  readonly hash: number;
  readonly name: NodeName;
}

/**
 * The active members placed on a ring by the hash of their name. Every member that knows the
 * same members computes the same ring, so "my successor" is an assignment all agree on
 * without a message: each member has one prober every period (Rapid's monitoring ring, one
 * ring deep). Sorted array: O(log n) lookups, O(n) moves per insert or removal.
 */
export class HashRing {
  private readonly positions: Position[] = [];

  get size(): number {
    return this.positions.length;
  }

  insert(name: NodeName): void {
    const position = { hash: spreadHash(name), name };
    const index = this.lowerBound(position);
    if (this.positions[index]?.name === name) return;
    this.positions.splice(index, 0, position);
  }

  remove(name: NodeName): void {
    const index = this.lowerBound({ hash: spreadHash(name), name });
    if (this.positions[index]?.name === name) this.positions.splice(index, 1);
  }

  /** The first member after `name` (clockwise, `name` itself excluded) that `accept` takes. */
  after(name: NodeName, accept: (name: NodeName) => boolean): NodeName | undefined {
    const n = this.positions.length;
    const start = this.lowerBound({ hash: spreadHash(name), name });
    for (let step = 0; step < n; step++) {
      const candidate = (this.positions[(start + step) % n] as Position).name;
      if (candidate !== name && accept(candidate)) return candidate;
    }
    return undefined;
  }

  /** Up to `count` members before `name` (counter-clockwise, nearest first) that `accept` takes. */
  before(name: NodeName, count: number, accept: (name: NodeName) => boolean): NodeName[] {
    const n = this.positions.length;
    const found: NodeName[] = [];
    const start = this.lowerBound({ hash: spreadHash(name), name });
    for (let step = 1; step <= n && found.length < count; step++) {
      const candidate = (this.positions[(((start - step) % n) + n) % n] as Position).name;
      if (candidate !== name && accept(candidate)) found.push(candidate);
    }
    return found;
  }

  /** Index of the first position not before `position` (hash, then name breaks ties). */
  private lowerBound(position: Position): number {
    let low = 0;
    let high = this.positions.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const at = this.positions[mid] as Position;
      if (at.hash < position.hash || (at.hash === position.hash && at.name < position.name)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
