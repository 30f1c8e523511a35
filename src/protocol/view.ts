import type { Coordinate } from './coordinate.js';
import type { VivaldiStats } from './vivaldi.js';
import type { MemberSnapshot } from './events.js';
import type { NodeStats } from './stats.js';
import type { MemberStatus, NodeName } from './types.js';

/**
 * What anyone may read of a running node. The commands and inputs that change it are not
 * here: only the shell that applies their effects (the agent, the simulator) holds the node.
 */
export interface NodeView {
  readonly name: NodeName;
  readonly stats: NodeStats;
  /** Changes whenever any member's record does (see Membership.version). */
  readonly membershipVersion: number;
  readonly selfMember: MemberSnapshot;
  readonly healthScore: number;
  readonly isLeaving: boolean;
  /** Updates waiting to be gossiped. */
  readonly queueDepth: number;
  /** Updates dropped from the queue, the most-sent first, to hold it at PROTOCOL_LIMITS.maxQueuedUpdates. */
  readonly updatesDropped: number;
  /** User events waiting to be gossiped. */
  readonly eventQueueDepth: number;
  /** The user-event Lamport clock, and what this member did with the events it heard. */
  readonly userEventStats: {
    readonly lamportTime: number;
    readonly delivered: number;
    readonly duplicates: number;
    readonly skipped: number;
  };
  /** Alive and suspect members, self included. */
  readonly activeMembers: number;
  /** Members per status, self included: the table's own counts, no walk of the table. */
  memberCounts(): Record<MemberStatus, number>;
  members(): MemberSnapshot[];
  member(name: NodeName): MemberSnapshot | undefined;
  /** This node's own Vivaldi coordinate. */
  readonly coordinate: Coordinate;
  readonly coordinateStats: Readonly<VivaldiStats>;
  /** The latest coordinate a member sent us (ourselves: our own), or undefined. */
  coordinateOf(name: NodeName): Coordinate | undefined;
  /** Every member whose coordinate we hold, ourselves first. */
  coordinates(): Array<{ readonly name: NodeName; readonly coordinate: Coordinate }>;
}
