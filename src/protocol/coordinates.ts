import { distanceS, type Coordinate } from './coordinate.js';
import { PeerCoordinates } from './peer-coordinates.js';
import type { Random } from './random.js';
import type { NodeName } from './types.js';
import { VivaldiClient, type VivaldiStats } from './vivaldi.js';

/**
 * One node's network coordinates: its own (moved by every direct probe round trip) and the
 * latest one each peer sent. Probing feeds it; the shell reads it for /v1/coordinates, `rtt`
 * and `?near`. Entries are kept only for members in the table (the caller checks) and are
 * forgotten with the member.
 */
export class NodeCoordinates {
  private readonly client: VivaldiClient;
  private readonly peers = new PeerCoordinates();

  constructor(random: Random) {
    this.client = new VivaldiClient(random);
  }

  /** This node's coordinate, as sent on its pings and acks. */
  get own(): Coordinate {
    return this.client.coordinate;
  }

  get stats(): Readonly<VivaldiStats> {
    return this.client.stats;
  }

  /** A coordinate `name` sent us: kept as its latest. */
  heard(name: NodeName, coordinate: Coordinate): void {
    this.peers.heard(name, coordinate);
  }

  /**
   * A direct round trip of `rttMs` to `name`, which answered with `coordinate`: the filtered
   * round trip (the median of the last few to this peer) moves our coordinate.
   */
  roundTrip(name: NodeName, rttMs: number, coordinate: Coordinate): void {
    this.peers.heard(name, coordinate);
    const filteredMs = this.peers.sample(name, rttMs);
    this.client.update(coordinate, filteredMs / 1000);
  }

  /** The coordinate held for a peer, or undefined when it never sent one. */
  of(name: NodeName): Coordinate | undefined {
    return this.peers.get(name);
  }

  forget(name: NodeName): void {
    this.peers.forget(name);
  }

  /** Every peer whose coordinate we hold (not ourselves). */
  peerEntries(): IterableIterator<[NodeName, Coordinate]> {
    return this.peers.entries();
  }

  get peerCount(): number {
    return this.peers.size;
  }
}

/** The estimated round trip between two coordinates, in ms. */
export function estimatedRttMs(a: Coordinate, b: Coordinate): number {
  return distanceS(a, b) * 1000;
}
