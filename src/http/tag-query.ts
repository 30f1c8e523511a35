import type { Tags } from '../protocol/types.js';
import { failure, success } from '../result.js';
import type { Parsed } from './validate.js';

/** One `tag` condition: the tag is present (value null) or has exactly this value. */
export interface TagCondition {
  readonly key: string;
  readonly value: string | null;
}

const EXAMPLE = 'key:value, e.g. role:web, or just key for any value';

/**
 * The `tag` filter of GET /v1/members and GET /v1/sd: `?tag=role:web&tag=zone:a` keeps members
 * whose tags match every condition. The key ends at the first colon, so a value may hold
 * colons (`tag=addr:10.0.0.1:80`); `?tag=role` asks only that the tag be present.
 */
export function parseTagFilter(query: URLSearchParams): Parsed<readonly TagCondition[]> {
  const conditions: TagCondition[] = [];
  for (const raw of query.getAll('tag')) {
    const colon = raw.indexOf(':');
    const key = colon === -1 ? raw : raw.slice(0, colon);
    if (key === '') return failure('invalid', `tag: ${JSON.stringify(raw)} has no key (${EXAMPLE})`);
    conditions.push({ key, value: colon === -1 ? null : raw.slice(colon + 1) });
  }
  return success(conditions);
}

export function matchesTags(tags: Tags, conditions: readonly TagCondition[]): boolean {
  return conditions.every(({ key, value }) => Object.hasOwn(tags, key) && (value === null || tags[key] === value));
}
