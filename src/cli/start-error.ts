import type { AgentConfig } from '../config.js';
import { isRecord } from '../config/parsed.js';
import { addressKey } from '../protocol/types.js';

/** Causes followed to find the socket error under the agent's wrappers; bounded against cycles. */
const MAX_CAUSE_DEPTH = 5;

/**
 * One line an operator can act on when the agent cannot start. Node's socket errors carry
 * the failing address; when the error (or its causes) does not, both configured addresses
 * are named.
 */
export function describeStartError(error: unknown, config: AgentConfig): string {
  const system = findSystemError(error);
  const host = system?.['address'];
  const port = system?.['port'];
  const where =
    typeof host === 'string' && typeof port === 'number'
      ? addressKey({ host, port })
      : `${addressKey(config.bind)} (UDP) or ${addressKey(config.http)} (HTTP)`;
  switch (system?.['code']) {
    case 'EADDRINUSE':
      return `cannot start: ${where} is already in use (another agent running? choose another with --bind or --http)`;
    case 'EADDRNOTAVAIL':
      return `cannot start: ${where} is not an address of this host (check --bind and --http)`;
    case 'EACCES':
      return `cannot start: no permission to listen on ${where} (ports below 1024 need privileges)`;
    default:
      return `cannot start the agent: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function findSystemError(error: unknown): Readonly<Record<string, unknown>> | undefined {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && isRecord(current); depth += 1) {
    if (typeof current['code'] === 'string') return current;
    current = current['cause'];
  }
  return undefined;
}
