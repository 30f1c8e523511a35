import type { ConfigSummary } from '../agent/api.js';
import { addressKey, type Address } from '../protocol/types.js';
import type { AgentConfig } from './types.js';

/**
 * The settings shown next to the agent's own record (GET /v1/self). `advertised` is the
 * address the agent actually advertises, known only once it has bound its socket; without it
 * the configured advertise address (or else the bind address) is shown.
 */
export function configSummary(config: AgentConfig, advertised?: Address): ConfigSummary {
  return {
    cluster: config.cluster,
    profile: config.profile,
    bind: addressKey(config.bind),
    advertise: addressKey(advertised ?? config.advertise ?? config.bind),
    http: addressKey(config.http),
    join: [...config.join],
    probeIntervalMs: config.probeIntervalMs,
    probeTimeoutMs: config.probeTimeoutMs,
    pauseToleranceMs: config.pauseToleranceMs,
    suspicionMult: config.suspicionMult,
    gossipIntervalMs: config.gossipIntervalMs,
    maxPacketBytes: config.maxPacketBytes,
    encrypted: config.encrypt !== null || config.keyringFile !== null,
  };
}
