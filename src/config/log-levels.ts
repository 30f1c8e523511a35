// Shared by the agent's log tee and `gossipd monitor`, which must not load the agent.

/** pino's numeric levels. */
export const LOG_LEVEL_VALUES = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type MonitorLevel = keyof typeof LOG_LEVEL_VALUES;

export function isMonitorLevel(text: string): text is MonitorLevel {
  return Object.prototype.hasOwnProperty.call(LOG_LEVEL_VALUES, text);
}
