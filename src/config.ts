import type { ProfileName, ProtocolOptions } from './protocol/options.js';
import type { Address, Tags } from './protocol/types.js';

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
export type ConfigResult =
  | { readonly ok: true; readonly config: AgentConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

export { resolveConfig } from './config/resolve.js';
export { configSummary } from './config/summary.js';
export { AGENT_DEFAULTS, LOG_LEVELS } from './config/defaults.js';
export { formatDuration, parseDurationText } from './config/duration.js';
