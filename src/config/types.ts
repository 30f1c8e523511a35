import type { ProfileName, ProtocolOptions } from '../protocol/options.js';
import type { Address, Tags } from '../protocol/types.js';
import type { Checked } from '../result.js';
import type { EventHandler } from './event-handlers.js';
import type { QueryHandler } from './query-handlers.js';

// The shapes src/config.ts exports, kept here so that the files of src/config need not import
// src/config.ts (which re-exports them) and no import cycle forms.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A fully resolved agent configuration. Every field is set. */
export interface AgentConfig extends ProtocolOptions {
  /** Member name, unique in the cluster. Default: the host name. */
  readonly name: string;
  /** UDP address to listen on. Default 0.0.0.0:7946. */
  readonly bind: Address;
  /** Address other members should use to reach this one. Default: the bind address (a 0.0.0.0 bind advertises the first non-internal IPv4). */
  readonly advertise: Address | null;
  /** Seeds to join at start, as host:port. Default none. */
  readonly join: readonly string[];
  /** Local HTTP membership endpoint. Default 127.0.0.1:7947. */
  readonly http: Address;
  /** Tags published in every alive message. Default none. */
  readonly tags: Tags;
  /** Cluster name: packets of other clusters are dropped. Default "default". */
  readonly cluster: string;
  /** Timing profile the protocol defaults come from. Default lan. */
  readonly profile: ProfileName;
  /** Log level. Default info. */
  readonly logLevel: LogLevel;
  /**
   * Directory for the restart snapshot (last incarnation, known members). With it, a restarted
   * agent outranks its old record and rejoins without --join. Default none: nothing persisted.
   */
  readonly dataDir: string | null;
  /**
   * AES-256 key (base64 of 32 bytes, from `gossipd keygen`) that encrypts and authenticates
   * every datagram; every member needs it. Costs 29 bytes and a few µs per datagram. Default
   * none: plaintext. Exclusive with keyringFile.
   */
  readonly encrypt: string | null;
  /**
   * JSON keyring file {"keys": [primary, …]}: the primary key encrypts, every key decrypts.
   * `gossipd keys` changes are written back to it. Default none. Exclusive with encrypt.
   */
  readonly keyringFile: string | null;
  /**
   * Bearer token that join, leave and keys requests must carry. Required when the HTTP
   * endpoint is not on a loopback address. Default none: no token asked on loopback.
   */
  readonly httpToken: string | null;
  /**
   * Shell commands run on membership events (--on-event member-failed=./failover.sh), one at
   * a time per handler, the event as JSON on stdin and in GOSSIPD_* variables. Default none.
   */
  readonly onEvent: readonly EventHandler[];
  /**
   * Commands that answer queries (--on-query version=./version.sh): the query's payload on
   * stdin, the answer is their stdout (cut to fit one datagram). Without one for a query's
   * name a member only acknowledges it. Default none.
   */
  readonly onQuery: readonly QueryHandler[];
  /**
   * An --on-event command still running after this long (ms) is killed, with its whole
   * process group. Longer lets slow failovers finish; shorter frees the handler's queue
   * sooner. Default 30 s.
   */
  readonly hookTimeoutMs: number;
  /** URLs each membership event is POSTed to as JSON, with retries. Default none. */
  readonly webhooks: readonly string[];
}

/** Everything resolveConfig reads, injected so that tests need no files or environment. */
export interface ConfigSources {
  /** Commander option values (camelCase keys), only those the user gave. */
  readonly flags: Readonly<Record<string, unknown>>;
  /** The environment; only GOSSIPD_* variables are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads the --config / GOSSIPD_CONFIG file; may throw. */
  readonly readFile: (path: string) => string;
  /** The default member name. */
  readonly hostname: string;
}

/** A full configuration, or every problem found, each naming its flag, variable or file key. */
export type ConfigResult = Checked<AgentConfig>;
