import { formatDuration, parseDurationText } from '../config/duration.js';
import { failure, success } from '../result.js';
import type { Parsed } from './validate.js';

const WHOLE_NUMBER = /^\d{1,16}$/;

/** The index header of /v1/events and /v1/members: the id of the latest event. */
export const INDEX_HEADER = 'X-Gossipd-Index';

/** The query parameters of a blocking query (GET /v1/members?index=N&wait=30s). */
export const BLOCKING_QUERY = ['index', 'wait'] as const;

export interface BlockingQuery {
  /** Wait while the index is still this; null: answer at once. */
  readonly index: number | null;
  readonly waitMs: number;
}

/**
 * `index` is a whole number (the X-Gossipd-Index of an earlier answer); `wait` a duration with
 * a unit, capped at `maxWaitMs`, which is also the default. `wait` alone is refused: without an
 * index there is nothing to wait for, and silently answering at once would hide the mistake.
 */
export function parseBlockingQuery(query: URLSearchParams, maxWaitMs: number): Parsed<BlockingQuery> {
  const indexText = single(query, 'index');
  const waitText = single(query, 'wait');
  if (!indexText.ok) return indexText;
  if (!waitText.ok) return waitText;
  if (indexText.value === undefined) {
    if (waitText.value !== undefined) return failure('invalid', 'wait: only with index (e.g. ?index=42&wait=30s)');
    return success({ index: null, waitMs: 0 });
  }
  const index = parseEventId(indexText.value);
  if (index === null) {
    return failure('invalid', `index: ${JSON.stringify(indexText.value)} is not a whole number (use the X-Gossipd-Index of an earlier answer)`);
  }
  if (waitText.value === undefined) return success({ index, waitMs: maxWaitMs });
  const waitMs = parseDurationText(waitText.value.trim());
  if (waitMs === null) {
    return failure('invalid', `wait: ${JSON.stringify(waitText.value)} is not a duration (e.g. 30s, 500ms, ${formatDuration(maxWaitMs)} at most)`);
  }
  return success({ index, waitMs: Math.min(Math.round(waitMs), maxWaitMs) });
}

/**
 * Where a reader resumes: the Last-Event-ID header (which EventSource sends on reconnecting,
 * so it is the newer of the two) or else `?lastEventId=` (for a first connection, which
 * EventSource cannot give headers). Null: no resumption, live events only.
 */
export function parseLastEventId(header: string | undefined, query: URLSearchParams): Parsed<number | null> {
  if (header !== undefined && header.trim() !== '') {
    const id = parseEventId(header.trim());
    return id === null ? failure('invalid', `Last-Event-ID: ${JSON.stringify(header)} is not an event id (a whole number)`) : success(id);
  }
  const fromQuery = single(query, 'lastEventId');
  if (!fromQuery.ok) return fromQuery;
  if (fromQuery.value === undefined) return success(null);
  const id = parseEventId(fromQuery.value.trim());
  return id === null
    ? failure('invalid', `lastEventId: ${JSON.stringify(fromQuery.value)} is not an event id (a whole number)`)
    : success(id);
}

function parseEventId(text: string): number | null {
  if (!WHOLE_NUMBER.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

function single(query: URLSearchParams, name: string): Parsed<string | undefined> {
  const values = query.getAll(name);
  if (values.length > 1) return failure('invalid', `${name}: given ${values.length} times (once at most)`);
  return success(values[0]);
}
