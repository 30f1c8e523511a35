import { validateTags } from '../codec/fields.js';
import type { Tags } from '../protocol/types.js';
import { failure, success } from '../result.js';
import type { Parsed } from './validate.js';

const EXAMPLE = '{"role":"web","metrics_port":"9100"}';

/**
 * The body of PUT /v1/self/tags: the whole new tag set, a JSON object of strings. Checked with
 * the codec's own rules, so an accepted set always fits in one `alive` that peers accept.
 */
export function parseTagsBody(body: unknown): Parsed<Tags> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return failure('invalid', `body must be a JSON object of string tags, like ${EXAMPLE}`);
  }
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') {
      return failure('invalid', `tag ${JSON.stringify(key)}: the value must be a string, not ${JSON.stringify(value)}`);
    }
    tags[key] = value;
  }
  const problem = validateTags(tags);
  return problem === null ? success(tags) : failure('invalid', problem);
}
