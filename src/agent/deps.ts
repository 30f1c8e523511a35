import type { Logger } from 'pino';
import type { Random } from '../protocol/random.js';
import type { Transport } from '../transport/transport.js';
import type { UdpTransportOptions } from '../transport/udp.js';
import type { Clock } from './clock.js';
import type { LogFeed } from './log-tee.js';
import type { ReceiveLimits } from './receive-limiter.js';
import type { LookupAll } from './seeds.js';

/** What createAgent(config, deps) takes besides the config: everything injected, each with a default. */
export interface AgentDeps {
  /** pino logger; the agent makes child loggers from it. Default: a silent logger. */
  readonly logger?: Logger;
  /** Time: the core's monotonic clock, the wall clock, timers. Default: the system's. */
  readonly clock?: Clock;
  /**
   * Randomness for the protocol (probe order, gossip targets) and injected loss. Default:
   * seeded from node:crypto. A seeded one makes a benchmark's loss replay.
   */
  readonly random?: Random;
  /**
   * Measure event-loop delay for local health (Lifeguard + Node.js). Default true. Agents
   * sharing one process can turn it off: the core still notices stalls from late timers.
   */
  readonly monitorLoopDelay?: boolean;
  /** Whether to serve the HTTP endpoint. Default true. */
  readonly http?: boolean;
  /**
   * Fault injection for benchmarks and tests: the fraction (0..1) of datagrams dropped, each
   * way, as if the network lost them. Default 0.
   */
  readonly lossRate?: number;
  /** Per-source receive rate limits (see ReceiveLimiter); tests and benchmarks tune them. */
  readonly receiveLimits?: Partial<ReceiveLimits>;
  /**
   * Opens the datagram transport. Default: UDP. Tests wrap it to feed datagrams through the
   * agent's receive path in-process (fuzzing) while the real socket still works.
   */
  readonly openTransport?: (options: UdpTransportOptions) => Promise<Transport>;
  /**
   * Resolves a seed host name to all its addresses. Default: the system resolver
   * (dns.lookup with all: true). Tests inject names that resolve to several addresses.
   */
  readonly lookupHost?: LookupAll;
  /** The agent's own log lines, for GET /v1/monitor (the CLI tees pino into one). Absent: the path answers 501. */
  readonly logFeed?: LogFeed;
}
