import { validateTags } from '../codec/fields.js';
import type { Tags } from '../protocol/types.js';
import { isRecord, isStringArray, show, splitList, type Parsed, type Syntax } from './parsed.js';
import { invalid, valid } from '../result.js';

/**
 * Tags from `--tag k=v` (repeatable, the value may hold commas), `GOSSIPD_TAGS=k=v,k=v`
 * (comma-separated, so values there cannot hold commas) or a JSON object of strings.
 */
export function parseTags(raw: unknown, syntax: Syntax): Parsed<Tags> {
  const pairs = syntax === 'file' ? filePairs(raw) : textPairs(raw, syntax);
  if (!pairs.ok) return pairs;
  const tags: Record<string, string> = {};
  for (const [key, value] of pairs.value) tags[key] = value;
  // The codec's own check: a tag set it accepts always fits in one `alive` packet.
  const problem = validateTags(tags);
  return problem === null ? valid(tags) : invalid(problem);
}

function filePairs(raw: unknown): Parsed<Array<[string, string]>> {
  if (!isRecord(raw)) return invalid(`${show(raw)} is not an object of string tags (e.g. {"role": "web"})`);
  const errors: string[] = [];
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') pairs.push([key, value]);
    else errors.push(`tag ${show(key)}: ${show(value)} is not a string`);
  }
  return errors.length === 0 ? valid(pairs) : invalid(...errors);
}

function textPairs(raw: unknown, syntax: Syntax): Parsed<Array<[string, string]>> {
  const items = textItems(raw, syntax);
  if (items === null) return invalid(`${show(raw)} is not a list of key=value tags`);
  const errors: string[] = [];
  const pairs: Array<[string, string]> = [];
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals <= 0) errors.push(`${show(item)} is not key=value (e.g. role=web)`);
    else pairs.push([item.slice(0, equals).trim(), item.slice(equals + 1)]);
  }
  return errors.length === 0 ? valid(pairs) : invalid(...errors);
}

function textItems(raw: unknown, syntax: Syntax): readonly string[] | null {
  if (typeof raw === 'string') return syntax === 'env' ? splitList(raw) : [raw];
  if (isStringArray(raw)) return raw;
  return null;
}
