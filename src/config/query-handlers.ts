import { validateEventName } from '../codec/index.js';
import { EVENT_LIMITS } from '../agent/limits.js';
import { invalid, valid } from '../result.js';
import { isRecord, isStringArray, show, splitList, type Parsed, type Syntax } from './parsed.js';

/** One --on-query handler: the command whose stdout answers queries of this name (`*`: any name). */
export interface QueryHandler {
  readonly name: string;
  /** Run with `/bin/sh -c`; the query's payload on stdin, its name in GOSSIPD_QUERY. */
  readonly command: string;
}

const EXAMPLE = 'version=./version.sh';

/**
 * --on-query NAME=COMMAND (repeatable), GOSSIPD_ON_QUERY (comma-separated) or in the file an
 * object {"version": "./version.sh"}. One handler per name: a second one for the same name is
 * an error, since a query gets one answer per member.
 */
export function parseQueryHandlers(raw: unknown, syntax: Syntax): Parsed<readonly QueryHandler[]> {
  const entries: { name: string; command: string }[] = [];
  const errors: string[] = [];
  if (syntax === 'file' && isRecord(raw)) {
    for (const [name, command] of Object.entries(raw)) {
      if (typeof command === 'string') entries.push({ name, command });
      else errors.push(`${show(name)}: ${show(command)} is not a command string`);
    }
  } else {
    const items = typeof raw === 'string' ? (syntax === 'env' ? splitList(raw) : [raw]) : isStringArray(raw) ? raw : null;
    if (items === null) return invalid(`${show(raw)} is not name=command (e.g. ${EXAMPLE})`);
    for (const item of items) {
      const equals = item.indexOf('=');
      if (equals <= 0) errors.push(`${show(item)} is not name=command (e.g. ${EXAMPLE})`);
      else entries.push({ name: item.slice(0, equals).trim(), command: item.slice(equals + 1) });
    }
  }
  const handlers: QueryHandler[] = [];
  const names = new Set<string>();
  for (const { name, command } of entries) {
    const problem = name === '*' ? null : validateEventName(name, 'query name');
    if (problem !== null) errors.push(`${show(name)}: ${problem}`);
    else if (names.has(name)) errors.push(`${show(name)}: a second --on-query handler for the same name (one answer per member)`);
    else if (command.trim() === '') errors.push(`${show(`${name}=${command}`)}: the command is empty (e.g. ${EXAMPLE})`);
    else if (Buffer.byteLength(command) > EVENT_LIMITS.maxCommandBytes) errors.push(`${name}: the command is longer than ${EVENT_LIMITS.maxCommandBytes} bytes`);
    else if (command.includes('\0')) errors.push(`${name}: the command contains a NUL character`);
    else {
      names.add(name);
      handlers.push({ name, command: command.trim() });
    }
  }
  if (handlers.length > EVENT_LIMITS.maxHandlers) errors.push(`${handlers.length} query handlers (at most ${EVENT_LIMITS.maxHandlers})`);
  return errors.length === 0 ? valid(handlers) : invalid(...errors);
}
