import { LIMITS } from '../codec/limits.js';
import { validateEventName, validateName, validatePayload, validateTags } from '../codec/index.js';
import type { QueryRequest } from '../agent/query-originator.js';
import { failure, success } from '../result.js';
import type { Parsed } from './validate.js';

/**
 * Bodies of POST /v1/user-events, /v1/query and /v1/force-leave. Every field is checked against
 * the codec's limits here, so what the agent sends is never dropped by a peer, and each error
 * names the field: `payload is 300 UTF-8 bytes (max 256)`.
 */

export interface UserEventBody {
  readonly name: string;
  readonly payload: string;
  readonly coalesce: boolean;
}

export interface ForceLeaveBody {
  readonly name: string;
  readonly prune: boolean;
}

type JsonObject = Readonly<Record<string, unknown>>;

function object(body: unknown, example: string, allowed: readonly string[]): Parsed<JsonObject> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return failure('invalid', `body must be a JSON object like ${example}`);
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) return failure('invalid', `unknown field ${JSON.stringify(field)} (expected ${allowed.join(', ')})`);
  }
  return success(body as JsonObject);
}

function text(fields: JsonObject, field: string, fallback: string | null): Parsed<string> {
  const value = fields[field];
  if (value === undefined && fallback !== null) return success(fallback);
  if (value === undefined) return failure('invalid', `${field} is required`);
  if (typeof value !== 'string') return failure('invalid', `${field} must be a string, not ${describe(value)}`);
  return success(value);
}

function flag(fields: JsonObject, field: string): Parsed<boolean> {
  const value = fields[field];
  if (value === undefined) return success(false);
  if (typeof value !== 'boolean') return failure('invalid', `${field} must be true or false, not ${describe(value)}`);
  return success(value);
}

function checked(problem: string | null): Parsed<undefined> {
  return problem === null ? success(undefined) : failure('invalid', problem);
}

const EVENT_EXAMPLE = '{"name":"deploy","payload":"v42"}';

export function parseUserEventBody(body: unknown): Parsed<UserEventBody> {
  const fields = object(body, EVENT_EXAMPLE, ['name', 'payload', 'coalesce']);
  if (!fields.ok) return fields;
  const name = text(fields.value, 'name', null);
  if (!name.ok) return name;
  const payload = text(fields.value, 'payload', '');
  if (!payload.ok) return payload;
  const coalesce = flag(fields.value, 'coalesce');
  if (!coalesce.ok) return coalesce;
  const problem = checked(validateEventName(name.value) ?? validatePayload(payload.value, LIMITS.maxUserEventPayloadBytes));
  if (!problem.ok) return problem;
  return success({ name: name.value, payload: payload.value, coalesce: coalesce.value });
}

const QUERY_EXAMPLE = '{"name":"version","payload":"","nodes":["web-1"],"tags":{"role":"web"},"timeoutMs":3000}';

export function parseQueryBody(body: unknown): Parsed<QueryRequest> {
  const fields = object(body, QUERY_EXAMPLE, ['name', 'payload', 'nodes', 'tags', 'timeoutMs']);
  if (!fields.ok) return fields;
  const name = text(fields.value, 'name', null);
  if (!name.ok) return name;
  const payload = text(fields.value, 'payload', '');
  if (!payload.ok) return payload;
  const problem = checked(validateEventName(name.value) ?? validatePayload(payload.value, LIMITS.maxQueryPayloadBytes));
  if (!problem.ok) return problem;
  const nodes = parseNodes(fields.value['nodes']);
  if (!nodes.ok) return nodes;
  const tags = parseTagsField(fields.value['tags']);
  if (!tags.ok) return tags;
  const timeoutMs = parseTimeout(fields.value['timeoutMs']);
  if (!timeoutMs.ok) return timeoutMs;
  return success({ name: name.value, payload: payload.value, nodes: nodes.value, tags: tags.value, timeoutMs: timeoutMs.value });
}

function parseNodes(raw: unknown): Parsed<string[]> {
  if (raw === undefined) return success([]);
  if (!Array.isArray(raw)) return failure('invalid', `nodes must be an array of member names, not ${describe(raw)}`);
  const list: readonly unknown[] = raw;
  if (list.length > LIMITS.maxQueryNodes) return failure('invalid', `nodes has ${list.length} entries (at most ${LIMITS.maxQueryNodes})`);
  const nodes: string[] = [];
  for (const [index, node] of list.entries()) {
    if (typeof node !== 'string') return failure('invalid', `nodes[${index}] must be a string, not ${describe(node)}`);
    const problem = validateName(node, `nodes[${index}]`);
    if (problem !== null) return failure('invalid', problem);
    nodes.push(node);
  }
  return success(nodes);
}

function parseTagsField(raw: unknown): Parsed<Record<string, string>> {
  if (raw === undefined) return success({});
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return failure('invalid', `tags must be an object of strings like {"role":"web"}, not ${describe(raw)}`);
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') return failure('invalid', `tags.${key} must be a string, not ${describe(value)}`);
    Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const problem = validateTags(tags);
  return problem === null ? success(tags) : failure('invalid', `tags: ${problem}`);
}

/** Absent: null, and the agent picks its default (see QUERY_DEFAULT_TIMEOUT in query-originator.ts). */
function parseTimeout(raw: unknown): Parsed<number | null> {
  if (raw === undefined) return success(null);
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > LIMITS.maxQueryTimeoutMs) {
    return failure('invalid', `timeoutMs must be an integer from 1 to ${LIMITS.maxQueryTimeoutMs}, not ${JSON.stringify(raw)}`);
  }
  return success(raw);
}

const FORCE_LEAVE_EXAMPLE = '{"name":"web-3","prune":false}';

export function parseForceLeaveBody(body: unknown): Parsed<ForceLeaveBody> {
  const fields = object(body, FORCE_LEAVE_EXAMPLE, ['name', 'prune']);
  if (!fields.ok) return fields;
  const name = text(fields.value, 'name', null);
  if (!name.ok) return name;
  const problem = checked(validateName(name.value));
  if (!problem.ok) return problem;
  const prune = flag(fields.value, 'prune');
  if (!prune.ok) return prune;
  return success({ name: name.value, prune: prune.value });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
