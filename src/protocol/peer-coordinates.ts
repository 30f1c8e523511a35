import type { Coordinate } from './coordinate.js';
import type { NodeName } from './types.js';
import { latencyFilter } from './vivaldi.js';

interface PeerEntry {
  coordinate: Coordinate | undefined;
  /** The last round trips to this peer, in ms, oldest first (the latency filter's window). */
  rttSamplesMs: number[];
}

/**
 * The latest coordinate each peer sent us, and the latency filter's samples of our round trips
 * to it. The node keeps entries only for members in its table and forgets them with the member
 * (reap), so this is bounded by the table.
 */
export class PeerCoordinates {
  private readonly peers = new Map<NodeName, PeerEntry>();

  /** A coordinate `name` sent us (on a ping or an ack): the newest replaces the one held. */
  heard(name: NodeName, coordinate: Coordinate): void {
    const entry = this.peers.get(name);
    if (entry === undefined) this.peers.set(name, { coordinate, rttSamplesMs: [] });
    else entry.coordinate = coordinate;
  }

  /** A round trip to `name`, in ms; returns the filtered round trip (median of the last few), in ms. */
  sample(name: NodeName, rttMs: number): number {
    const entry = this.peers.get(name) ?? { coordinate: undefined, rttSamplesMs: [] };
    const filtered = latencyFilter(entry.rttSamplesMs, rttMs);
    entry.rttSamplesMs = filtered.samples;
    this.peers.set(name, entry);
    return filtered.median;
  }

  get(name: NodeName): Coordinate | undefined {
    return this.peers.get(name)?.coordinate;
  }

  forget(name: NodeName): void {
    this.peers.delete(name);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Every peer whose coordinate we hold. */
  *entries(): IterableIterator<[NodeName, Coordinate]> {
    for (const [name, entry] of this.peers) if (entry.coordinate !== undefined) yield [name, entry.coordinate];
  }
}
