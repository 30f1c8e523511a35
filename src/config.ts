import { AGENT_DEFAULTS } from './config/defaults.js';
import type { AgentConfig } from './config/types.js';
import { PROFILES } from './protocol/options.js';

export type { AgentConfig, ConfigResult, ConfigSources, LogLevel } from './config/types.js';
export { resolveConfig } from './config/resolve.js';
export { configSummary } from './config/summary.js';
export { AGENT_DEFAULTS, EXPERIMENT_TIMING, LOG_LEVELS } from './config/defaults.js';
export { formatDuration, parseDurationText } from './config/duration.js';

/**
 * A complete config from the defaults (lan profile timing unless `overrides` say otherwise),
 * for programs that embed agents without going through flags, env and files.
 */
export function defaultConfig(name: string, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { ...PROFILES.lan, ...AGENT_DEFAULTS, name, ...overrides };
}
