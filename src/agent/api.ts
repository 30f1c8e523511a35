import type { MemberStatus, Tags } from '../protocol/types.js';

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
  readonly suspicionMult: number;
  readonly gossipIntervalMs: number;
  readonly maxPacketBytes: number;
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

/** What the HTTP endpoint needs from an agent; implemented by createAgent(). */
export interface AgentApi {
  members(): MemberView[];
  member(name: string): MemberView | undefined;
  self(): SelfView;
  health(): HealthView;
  /** Contact these seeds (host:port); resolves with how many answered. Rejects on a bad address. */
  join(addrs: readonly string[]): Promise<{ joined: number }>;
  /** Gossip `left`, wait (bounded) for it to spread, then stop the agent. */
  leave(): Promise<void>;
}
