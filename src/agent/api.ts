import type { KeyOp, KeyringMode } from '../protocol/messages.js';
import type { NodeView } from '../protocol/view.js';
import type { AgentDropReason } from './drops.js';
import type { EventFeed } from './event-log.js';
import type { LogFeed } from './log-tee.js';
import type { QueryOutcome, QueryProgress, QueryRequest } from './query-originator.js';
import type { MemberStatus, Tags } from '../protocol/types.js';
import type { Result } from '../result.js';

/** One member as this agent sees it: the JSON shape of GET /v1/members (DESIGN.md §3). */
export interface MemberView {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly status: MemberStatus;
  readonly incarnation: number;
  readonly tags: Tags;
  /** ISO-8601 time at which this agent saw the status change. */
  readonly since: string;
}

/**
 * One member's network coordinate: the JSON shape of an entry of GET /v1/coordinates (the
 * same fields as Serf's, every number in seconds but `error`).
 */
export interface CoordinateView {
  readonly name: string;
  readonly coordinate: {
    readonly vec: readonly number[];
    readonly height: number;
    readonly adjustment: number;
    readonly error: number;
  };
}

/** The settings an operator wants to see next to the agent's own record (GET /v1/self). */
export interface ConfigSummary {
  readonly cluster: string;
  readonly profile: string;
  readonly bind: string;
  readonly advertise: string;
  readonly http: string;
  readonly join: readonly string[];
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  /** Silence tolerated before a member is declared failed; null: memberlist's log10(n) timeouts. */
  readonly pauseToleranceMs: number | null;
  readonly suspicionMult: number;
  readonly gossipIntervalMs: number;
  readonly maxPacketBytes: number;
  /** Whether datagrams are encrypted (--encrypt or --keyring-file). */
  readonly encrypted: boolean;
}

export interface SelfView extends MemberView {
  readonly healthScore: number;
  readonly config: ConfigSummary;
}

export interface HealthView {
  readonly status: 'ok' | 'leaving';
  readonly name: string;
  readonly uptimeMs: number;
  /** Lifeguard local health score: 0 is healthy, higher means this node doubts itself. */
  readonly healthScore: number;
  readonly members: Readonly<Record<MemberStatus, number>>;
  /** Datagrams dropped at the boundary since start (malformed, foreign cluster, …). */
  readonly droppedPackets: number;
}

/** One member's part in a key operation. */
export interface KeyMemberResult {
  readonly name: string;
  /** It applied the operation (or, for list, answered). */
  readonly ok: boolean;
  /** Why not: its refusal, or that it did not answer in time. Absent when ok. */
  readonly error?: string;
  /** Ids of its keys afterwards, primary first; empty if it did not answer. */
  readonly keyIds: readonly string[];
  /** Its mode afterwards (plaintext, encrypt, enforce); absent if it did not answer. */
  readonly mode?: KeyringMode;
}

/** One key seen anywhere in the cluster, and how many members hold it. */
export interface KeyView {
  /**
   * The key itself when this agent holds it; null otherwise (members report ids, never keys).
   * In-process only: the HTTP answer replaces it with `held` (src/http/key-report.ts).
   */
  readonly key: string | null;
  readonly id: string;
  /** Members, among those that answered, whose primary key it is (that seal with it: not in plaintext mode). */
  readonly primary: number;
  /** Members, among those that answered, that hold it. */
  readonly installed: number;
}

/** The answer to GET /v1/keys and POST /v1/keys/{install,use,remove,enforce,relax}. */
export interface KeyOpReport {
  readonly op: KeyOp;
  /** Every member asked answered, and none refused. */
  readonly ok: boolean;
  /** Members asked: this agent and every alive or suspect member it knows. */
  readonly members: number;
  readonly responded: number;
  readonly keys: readonly KeyView[];
  /** Sorted by name. */
  readonly nodes: readonly KeyMemberResult[];
}

export type JoinRefusal = 'bad-address' | 'not-running';
export type JoinOutcome = Result<{ readonly joined: number }, JoinRefusal>;
/**
 * Why a key operation was refused before it ran. The HTTP endpoint turns each into a status:
 * `invalid-key` is the caller's mistake (400), the others are the state of this agent or of
 * the cluster (409).
 */
export type KeyOpRefusalReason =
  /**
   * Not produced any more (an agent started without a key is in plaintext mode and takes
   * `keys install`); kept so that clients written against older agents still type-check.
   */
  | 'encryption-off'
  /** The agent is stopping. */
  | 'stopping'
  /** As many key operations as one agent runs at once are already running. */
  | 'busy'
  /** The key is missing or not the base64 of 32 bytes. */
  | 'invalid-key'
  /** `use` of a key this agent has not installed. */
  | 'not-installed'
  /** `enforce` (or `relax`) on an agent with no key in use: `use` one first. */
  | 'no-key-in-use'
  /** `remove` of this agent's primary key. */
  | 'primary-key'
  /** `install` into a keyring that holds as many keys as it may. */
  | 'keyring-full'
  /**
   * `use`, `remove` or `enforce` would cut members off: one lacks the key, still encrypts with
   * it, does not seal with this agent's primary key yet (enforce), or did not answer.
   */
  | 'would-cut-off';

/** The report of an operation that ran (even if members refused), or why it did not run. */
export type KeyOpOutcome = Result<KeyOpReport, KeyOpRefusalReason>;

/** A user event as sent: the id every member gives it and its Lamport time. */
export interface SentUserEventView {
  readonly id: string;
  readonly ltime: number;
}
export type UserEventOutcome = Result<SentUserEventView, 'not-running'>;

/** Why a force-leave was refused: the status for HTTP is 404 for unknown-member, 409 for the rest. */
export type ForceLeaveRefusalReason = 'unknown-member' | 'not-failed' | 'self' | 'not-running';
export type ForceLeaveOutcome = Result<{ readonly name: string; readonly status: MemberStatus | 'forgotten' }, ForceLeaveRefusalReason>;

/** `gossipd info` / GET /v1/info: the agent, its view of the cluster, its protocol settings and its runtime. */
export interface InfoView {
  readonly agent: {
    readonly name: string;
    readonly version: string;
    readonly startedAt: string;
    readonly uptimeMs: number;
    readonly state: string;
  };
  readonly cluster: {
    readonly name: string;
    readonly members: Readonly<Record<MemberStatus, number>>;
    /** Membership updates and user events waiting to be gossiped. */
    readonly updateQueue: number;
    readonly eventQueue: number;
    /** The user-event Lamport clock, and what this agent did with the events it heard. */
    readonly eventClock: number;
    readonly userEvents: { readonly delivered: number; readonly duplicates: number; readonly skipped: number };
  };
  readonly protocol: {
    readonly addr: string;
    readonly bind: string;
    readonly http: string;
    readonly incarnation: number;
    /** Lifeguard local health (awareness): 0 is healthy. */
    readonly healthScore: number;
    readonly profile: string;
    readonly probeIntervalMs: number;
    readonly probeTimeoutMs: number;
    readonly gossipIntervalMs: number;
    readonly gossipFanout: number;
    readonly retransmitMult: number;
    readonly suspicionMult: number;
    readonly pauseToleranceMs: number | null;
    readonly pushPullIntervalMs: number;
    readonly maxPacketBytes: number;
    readonly encrypted: boolean;
    readonly droppedPackets: number;
  };
  readonly runtime: {
    readonly node: string;
    readonly platform: string;
    readonly arch: string;
    readonly pid: number;
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    /** Worst event-loop delay in the last sample, ms; null when not measured. */
    readonly loopDelayMs: number | null;
  };
}

/** What the HTTP endpoint needs from an agent; implemented by createAgent(). */
export interface AgentApi {
  members(): MemberView[];
  /**
   * Changes whenever anything members() returns does, so a listing may be cached while it
   * holds. Absent (test fakes): listings are never cached.
   */
  membershipVersion?(): number;
  member(name: string): MemberView | undefined;
  self(): SelfView;
  health(): HealthView;
  /**
   * Contact these seeds (host:port); resolves with how many answered, or why the join was
   * refused before it began: addresses that give nothing to contact, or an agent not running.
   */
  join(addrs: readonly string[]): Promise<JoinOutcome>;
  /** Gossip `left`, wait (bounded) for it to spread, then stop the agent. */
  leave(): Promise<void>;
  /**
   * A keyring operation, here and on every live member: `key` for install, use and remove
   * (use and remove also take a key id of a key this agent holds), null for list. Refusals of the request itself (bad key, no encryption, removing the
   * primary) are values with a reason; what each member did is in the report.
   */
  keys(op: KeyOp, key: string | null): Promise<KeyOpOutcome>;
  /**
   * Replace this agent's tags (already validated) and spread them: a higher incarnation and a
   * new `alive`, unless they did not change. Returns the updated own record.
   */
  setTags(tags: Tags): SelfView;
  /** This agent's metrics in the Prometheus text exposition format 0.0.4. */
  metrics(): string;
  /**
   * Sends a user event (name and payload already validated): delivered here at once, and to
   * every live member by gossip. Absent in test fakes: the path answers 501.
   */
  userEvent?(name: string, payload: string, coalesce: boolean): UserEventOutcome;
  /** Asks matching members (validated request); resolves when its timeout ends. `onProgress` sees acks and answers as they come. */
  query?(request: QueryRequest, onProgress?: (progress: QueryProgress) => void): Promise<QueryOutcome>;
  /** A failed member becomes left everywhere (prune: forgotten everywhere). */
  forceLeave?(name: string, prune: boolean): ForceLeaveOutcome;
  /** Agent, cluster, protocol and runtime figures (GET /v1/info). */
  info?(): InfoView;
  /** The agent's own log lines (GET /v1/monitor). */
  readonly logs?: LogFeed | undefined;
  /**
   * The network coordinates this agent holds: its own first, then every member that sent one
   * (not yet reaped). Absent in test fakes without coordinates: GET /v1/coordinates answers 501.
   */
  coordinates?(): CoordinateView[];
  /** True when the agent runs with --coordinates off: GET /v1/coordinates and ?near answer 404. */
  readonly coordinatesOff?: boolean;
  /**
   * The membership events this agent saw, for GET /v1/events and blocking queries. Absent in
   * an api without an event log (test fakes): those then answer 501.
   */
  readonly events?: EventFeed;
}

/** One running daemon (createAgent): the HTTP API plus its lifecycle and read-only views. */
export interface Agent extends AgentApi {
  readonly name: string;
  /** Bind UDP and HTTP, start probing, contact the configured seeds (in the background). */
  start(): Promise<void>;
  /** Stop at once without telling anyone (as a crash would, but closing sockets). */
  stop(): Promise<void>;
  /** Resolves once the agent has stopped, by leave() or stop(). */
  readonly stopped: Promise<void>;
  /** The UDP and HTTP addresses actually bound (port 0 resolved). Valid after start(). */
  readonly boundAddresses: { readonly udp: string; readonly http: string };
  /** Datagrams dropped at the boundary, by reason. */
  readonly drops: Readonly<Record<AgentDropReason, number>>;
  /** Datagrams and bytes handed to the UDP socket since start (after injected loss): for benchmarks. */
  readonly sent: { readonly datagrams: number; readonly bytes: number };
  /** The protocol core, read-only (its stats, its own record), for embedding and tests. Valid after start(). */
  readonly protocol: NodeView;
  /** The membership events this agent saw (GET /v1/events, blocking queries, hooks, webhooks). */
  readonly events: EventFeed;
  /** Network coordinates: its own first (see AgentApi.coordinates). */
  coordinates(): CoordinateView[];
}
