import { formatDuration } from './duration.js';
import type { AgentConfig } from './types.js';

/** Where each resolved field came from ("--probe-timeout", "profile lan", …), for messages. */
export type OriginOf = (field: keyof AgentConfig) => string;

interface CrossRule {
  readonly fields: readonly (keyof AgentConfig)[];
  /** A message naming the offending setting, or null when the rule holds. */
  readonly check: (config: AgentConfig, originOf: OriginOf) => string | null;
}

const CROSS_RULES: readonly CrossRule[] = [
  {
    // An ack that may arrive after the next probe starts would be matched to the wrong round.
    fields: ['probeTimeoutMs', 'probeIntervalMs'],
    check: (config, originOf) =>
      config.probeTimeoutMs < config.probeIntervalMs
        ? null
        : `${originOf('probeTimeoutMs')}: probe timeout ${formatDuration(config.probeTimeoutMs)} must be shorter than ` +
          `the probe interval ${formatDuration(config.probeIntervalMs)} (from ${originOf('probeIntervalMs')})`,
  },
];

/**
 * Rules between fields. A rule whose inputs were already rejected is skipped: its message
 * would blame a value the user never gave.
 */
export function checkCrossRules(config: AgentConfig, originOf: OriginOf, invalid: ReadonlySet<keyof AgentConfig>): string[] {
  return CROSS_RULES.filter((rule) => rule.fields.every((field) => !invalid.has(field)))
    .map((rule) => rule.check(config, originOf))
    .filter((message): message is string => message !== null);
}
