import { PROFILES, type ProtocolOptions } from '../protocol/options.js';
import type { AgentConfig, LogLevel } from './types.js';

export const DEFAULT_BIND_HOST = '0.0.0.0';
export const DEFAULT_HTTP_HOST = '127.0.0.1';

/** Everything but the timing (from the profile) and the name (the host name). */
export const AGENT_DEFAULTS: Omit<AgentConfig, keyof ProtocolOptions | 'name'> = {
  bind: { host: DEFAULT_BIND_HOST, port: 7946 },
  advertise: null,
  join: [],
  http: { host: DEFAULT_HTTP_HOST, port: 7947 },
  tags: {},
  cluster: 'default',
  profile: 'tolerance',
  logLevel: 'info',
  dataDir: null,
  encrypt: null,
  keyringFile: null,
  httpToken: null,
  onEvent: [],
  onQuery: [],
  hookTimeoutMs: 30_000,
  webhooks: [],
};

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export { MAX_NAME_BYTES, MAX_PACKET_BYTES, MIN_PACKET_BYTES } from './limits.js';

/**
 * A fast timing for experiments on one machine, the one the tests use: the
 * local profile with 200 ms probes, 100 ms timeout, 50 ms gossip and suspicionMult 4. A crash
 * is detected in about a second; too eager for real networks.
 */
export const EXPERIMENT_TIMING = {
  ...PROFILES.local,
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  gossipIntervalMs: 50,
  suspicionMult: 4,
} as const satisfies ProtocolOptions;
