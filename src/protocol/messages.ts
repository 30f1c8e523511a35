import type { Coordinate } from './coordinate.js';
import type { Address, Incarnation, MemberStatus, NodeName, SeqNo, Tags } from './types.js';

/**
 * Every message gossipd sends. One UDP datagram carries one or more of them (a compound
 * packet): a probe or a sync message first, then piggybacked membership updates.
 */

/** Heartbeat probe (SWIM §3). `target` is the name the sender believes lives at this address. */
export interface Ping {
  readonly type: 'ping';
  readonly seq: SeqNo;
  readonly target: NodeName;
  /**
   * The prober takes a Vivaldi sample of this round trip: the ack must carry the target's
   * coordinate (as Serf, the ping itself carries none: the target could not use it as a sample).
   */
  readonly wantsCoordinate?: true;
}

/** Answer to a ping, sent back to the packet's source. */
export interface Ack {
  readonly type: 'ack';
  readonly seq: SeqNo;
  /**
   * The answering member's Vivaldi coordinate: with the round trip it is a sample for the
   * prober's coordinate. Relayed acks (ping-req) carry none: their round trip is not a distance.
   */
  readonly coordinate?: Coordinate;
}

/** A relay's "the target stayed silent" answer to a ping-req (Lifeguard §IV-A). */
export interface Nack {
  readonly type: 'nack';
  readonly seq: SeqNo;
}

/** Ask the receiver to probe `target` on the sender's behalf and relay the ack (SWIM §3.1). */
export interface PingReq {
  readonly type: 'ping-req';
  readonly seq: SeqNo;
  readonly target: NodeName;
  readonly targetAddr: Address;
  /** Whether the requester wants a nack when the target stays silent. */
  readonly wantNack: boolean;
}

/** A member is alive at this incarnation, address and tags. */
export interface Alive {
  readonly type: 'alive';
  readonly name: NodeName;
  readonly incarnation: Incarnation;
  readonly addr: Address;
  readonly tags: Tags;
}

/** `from` missed `name`'s heartbeat directly and indirectly. */
export interface Suspect {
  readonly type: 'suspect';
  readonly name: NodeName;
  readonly incarnation: Incarnation;
  readonly from: NodeName;
  /**
   * With a pause tolerance: how long ago, in ms, the evidence began (the unanswered probe was
   * sent), so every holder times the suspicion from the same moment. Absent in memberlist's
   * timing, where each holder times it from when it heard.
   */
  readonly ageMs?: number;
}

/** `from` declared `name` failed after its suspicion timed out. */
export interface Failed {
  readonly type: 'failed';
  readonly name: NodeName;
  readonly incarnation: Incarnation;
  readonly from: NodeName;
}

/** `name` left the cluster gracefully. */
export interface Left {
  readonly type: 'left';
  readonly name: NodeName;
  readonly incarnation: Incarnation;
}

/**
 * Anti-entropy opener: a digest of the sender's member table. When the digest differs the
 * receiver answers with its bucket digests (`buckets`); `join` from a member whose table holds
 * only itself asks for the whole table instead. Either large answer goes only to an address
 * that proved it receives our datagrams: the `cookie` we gave it in a `challenge`.
 */
export interface Sync {
  readonly type: 'sync';
  readonly digest: number;
  readonly members: number;
  readonly join: boolean;
  /** The sender's round id: answers (`challenge`, `buckets`) echo it, proving they reached us. */
  readonly nonce?: number;
  /** The receiver's cookie for the sender's address, once a `challenge` gave it one. */
  readonly cookie?: number;
}

/**
 * "Echo this cookie to prove you receive our datagrams" (address validation, QUIC RFC 9000
 * §8.1): the answer to a `sync` that needs a large reply but carried no valid cookie.
 */
export interface Challenge {
  readonly type: 'challenge';
  /** The nonce of the sync it answers. */
  readonly nonce: number;
  /** A keyed hash of the sync's source address and the time window. */
  readonly cookie: number;
  /** The challenger's table size: a joiner prefers a seed that knows many members. */
  readonly members: number;
}

/**
 * The answer to a differing `sync` (or to a pull that asks for more): the table's digest split
 * into buckets (a power of two) by name hash, so the opener can tell which buckets differ and
 * exchange only those. One packet holds 256 sums; a finer split comes in parts, one per pull.
 */
export interface Buckets {
  readonly type: 'buckets';
  /** The nonce of the sync it answers. */
  readonly nonce: number;
  /** The sums of buckets offset … offset + sums.length − 1. */
  readonly sums: readonly number[];
  /** Set when the sums are a part: how many buckets the table is split into, and the first one here. Absent: all of them. */
  readonly part?: BucketPart;
}

/** Where a part of the bucket sums lies: `offset` … of `count` buckets. */
export interface BucketPart {
  readonly count: number;
  readonly offset: number;
}

/**
 * "I do not know you: send me your own record". Beside the ack to a ping from an address no
 * member has, while our table is still growing (a join storm): the answer is one `alive`
 * where a digest would start a table exchange.
 */
export interface Introduce {
  readonly type: 'introduce';
}

/** "Send me your entries of these buckets": the opener's half of a bucket exchange. */
export interface Pull {
  readonly type: 'pull';
  /** The receiver's cookie for the sender's address (the entries are a large answer). */
  readonly cookie: number;
  /** How many buckets the table is split into (a power of two). */
  readonly bucketCount: number;
  /** The buckets wanted, each below bucketCount, ascending. */
  readonly indices: readonly number[];
  /** The next part of the bucket sums wanted in the same answer: that round's nonce and the part's first bucket. */
  readonly next?: { readonly nonce: number; readonly offset: number };
}

/** One member's entry in a full-state transfer. */
export interface MemberState {
  readonly name: NodeName;
  readonly addr: Address;
  readonly incarnation: Incarnation;
  readonly status: MemberStatus;
  readonly tags: Tags;
}

/**
 * One packet-sized chunk of member entries: a whole table (a join), or the entries of the
 * buckets that differ (anti-entropy). Nobody answers a `state`: it only merges.
 */
export interface State {
  readonly type: 'state';
  /** Set on the first chunk of an answer that covers the whole table (or at least half its buckets). */
  readonly full: boolean;
  readonly members: readonly MemberState[];
}

/**
 * What a key operation does to a member's keyring (see KeyRequest). `enforce` makes a member
 * refuse plaintext datagrams, `relax` accept them again (see KeyringMode).
 */
export type KeyOp = 'list' | 'install' | 'use' | 'remove' | 'enforce' | 'relax';

/**
 * How a member treats plaintext: `plaintext` sends plaintext (its installed keys, if any, open
 * encrypted datagrams); `encrypt` seals with its primary key and still accepts plaintext;
 * `enforce` seals and refuses plaintext. A cluster is switched on in that order, live.
 */
export type KeyringMode = 'plaintext' | 'encrypt' | 'enforce';

/**
 * Apply a keyring change cluster-wide (`gossipd keys install|use|remove|list`). The agent, not
 * the protocol core, handles it: the origin sends it straight to every live member and retries
 * until each answers with a KeyResponse. It only ever travels in encrypted datagrams, so only a
 * holder of an installed key can send one.
 */
export interface KeyRequest {
  readonly type: 'key-request';
  /** Random per operation; answers carry it back, and receivers apply each id once. */
  readonly id: number;
  readonly op: KeyOp;
  /** The key (base64 of 32 bytes) for install, use and remove; empty for list, enforce and relax. */
  readonly key: string;
  /** Sender's wall clock in seconds: receivers refuse stale requests, so a replay cannot undo a rotation. */
  readonly sentAtS: number;
  /**
   * The sending member. Inside an encrypted datagram it is as authentic as the key: receivers
   * remember requests by it and the id, not by the (unauthenticated) source address.
   */
  readonly name: NodeName;
}

/** A member's answer to a KeyRequest: the outcome and its keyring afterwards. */
export interface KeyResponse {
  readonly type: 'key-response';
  readonly id: number;
  /** The answering member. */
  readonly name: NodeName;
  readonly ok: boolean;
  /** Why the operation was refused; empty when ok. */
  readonly error: string;
  /** Key ids (a hash prefix, never the key itself) of its keyring, the primary first (if it has one, see mode). */
  readonly keyIds: readonly string[];
  /** Its mode afterwards; in `plaintext` the first key id is no primary key. */
  readonly mode: KeyringMode;
}

/**
 * Forget `name` now (`gossipd force-leave --prune`): every holder drops its row, as the reap
 * would after reapTimeout. Only a member already down (failed or left) at an incarnation no
 * higher than this one is forgotten; a live one ignores it.
 */
export interface Forget {
  readonly type: 'forget';
  readonly name: NodeName;
  readonly incarnation: Incarnation;
}

/**
 * A user event (`gossipd event NAME PAYLOAD`), gossiped until every member has it. `origin`
 * numbers its events 1, 2, 3… (`seq`) in each life (`epoch`), so receivers deliver each origin's
 * events in order and once; `ltime` is the origin's Lamport time (Serf's event clock) when it sent it.
 */
export interface UserEvent {
  readonly type: 'user-event';
  readonly origin: NodeName;
  /** The origin's life (its starting incarnation): numbering starts again at each start. */
  readonly epoch: number;
  /** 1, 2, 3… per origin and life; 0 for a coalescing event, which stands outside that order. */
  readonly seq: number;
  readonly ltime: number;
  readonly name: string;
  /** UTF-8 text, at most LIMITS.maxUserEventPayloadBytes. */
  readonly payload: string;
  /** A newer event of the same name from the same origin replaces this one while still in flight. */
  readonly coalesce: boolean;
}

/**
 * The seed's event clock, in the datagram of the challenge that answers a join's first sync:
 * the joiner ignores user events older than it, so a member that joins later does not replay
 * old events.
 */
export interface EventClock {
  readonly type: 'event-clock';
  readonly ltime: number;
}

/**
 * A query (`gossipd query NAME PAYLOAD`): every member it names (all when `nodes` is empty) whose
 * tags match `tags` acks at once and answers with its --on-query handler's output, straight to
 * `replyTo`. The agent, not the protocol core, handles queries.
 */
export interface Query {
  readonly type: 'query';
  /** Random per query; acks and answers carry it back. */
  readonly id: number;
  readonly origin: NodeName;
  readonly replyTo: Address;
  readonly name: string;
  readonly payload: string;
  readonly nodes: readonly NodeName[];
  readonly tags: Tags;
  /** How long the origin collects answers; a handler still running after it is not waited for. */
  readonly timeoutMs: number;
}

/** A member received a query and its filters matched. */
export interface QueryAck {
  readonly type: 'query-ack';
  readonly id: number;
  readonly from: NodeName;
}

/** A member's answer to a query: the (bounded) stdout of its --on-query handler. */
export interface QueryResponse {
  readonly type: 'query-response';
  readonly id: number;
  readonly from: NodeName;
  readonly payload: string;
}

export type ProbeMessage = Ping | Ack | Nack | PingReq;
export type UpdateMessage = Alive | Suspect | Failed | Left | Forget;
export type SyncMessage = Sync | State | Challenge | Buckets | Pull | Introduce;
export type KeyMessage = KeyRequest | KeyResponse;
export type EventMessage = UserEvent | EventClock;
export type QueryMessage = Query | QueryAck | QueryResponse;
export type Message = ProbeMessage | UpdateMessage | SyncMessage | KeyMessage | EventMessage | QueryMessage;
export type MessageType = Message['type'];

export const MESSAGE_TYPES = [
  'ping',
  'ack',
  'nack',
  'ping-req',
  'alive',
  'suspect',
  'failed',
  'left',
  'sync',
  'state',
  'key-request',
  'key-response',
  'buckets',
  'pull',
  'challenge',
  'introduce',
  'user-event',
  'event-clock',
  'forget',
  'query',
  'query-ack',
  'query-response',
] as const satisfies readonly MessageType[];
