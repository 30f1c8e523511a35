import { isMemberStatus, MEMBER_STATUSES, type MemberStatus } from '../protocol/types.js';
import { failure, success, type Result } from '../result.js';

/**
 * A request part (query, header, body) as a value, or `invalid` with what is wrong with it:
 * the caller's mistake, answered 400 with the error as it is.
 */
export type Parsed<T> = Result<T, 'invalid'>;

/**
 * Query parameters are checked, not ignored: `?state=alive` silently returning every member
 * would look like a working filter.
 */
export function checkQueryNames(query: URLSearchParams, allowed: readonly string[]): Parsed<undefined> {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      const expected = allowed.length === 0 ? 'this endpoint takes none' : `expected ${allowed.join(', ')}`;
      return failure('invalid', `unknown query parameter ${JSON.stringify(name)} (${expected})`);
    }
  }
  return success(undefined);
}

/**
 * The `status` filter of GET /v1/members: comma-separated, repeatable
 * (`?status=alive,suspect` or `?status=alive&status=suspect`). Undefined means no filter.
 */
export function parseStatusFilter(query: URLSearchParams): Parsed<ReadonlySet<MemberStatus> | undefined> {
  const values = query.getAll('status');
  if (values.length === 0) {
    return success(undefined);
  }
  const statuses = new Set<MemberStatus>();
  for (const raw of values.flatMap((value) => value.split(','))) {
    const candidate = raw.trim();
    if (!isMemberStatus(candidate)) {
      return failure('invalid', `status: ${JSON.stringify(candidate)} is not one of ${MEMBER_STATUSES.join(', ')}`);
    }
    statuses.add(candidate);
  }
  return success(statuses);
}

const JOIN_EXAMPLE = '{"addrs":["host:port"]}';

/** The body of POST /v1/join. Addresses themselves are checked by the agent when it resolves them. */
export function parseJoinRequest(body: unknown, maxAddrs: number): Parsed<string[]> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return failure('invalid', `body must be a JSON object like ${JOIN_EXAMPLE}`);
  }
  // Reject unknown fields so a typo ("adrs") is an error rather than an empty join.
  for (const key of Object.keys(body)) {
    if (key !== 'addrs') {
      return failure('invalid', `unknown field ${JSON.stringify(key)} (expected addrs)`);
    }
  }
  const addrs: unknown = (body as { addrs?: unknown }).addrs;
  if (addrs === undefined) {
    return failure('invalid', `addrs is required, as in ${JOIN_EXAMPLE}`);
  }
  if (!Array.isArray(addrs)) {
    return failure('invalid', 'addrs must be an array of "host:port" strings');
  }
  const entries: readonly unknown[] = addrs;
  if (entries.length === 0) {
    return failure('invalid', 'addrs must not be empty');
  }
  if (entries.length > maxAddrs) {
    return failure('invalid', `addrs has ${entries.length} entries; at most ${maxAddrs} are allowed`);
  }
  const strings: string[] = [];
  for (const [index, addr] of entries.entries()) {
    if (typeof addr !== 'string') {
      return failure('invalid', `addrs[${index}] must be a "host:port" string, not ${describe(addr)}`);
    }
    strings.push(addr);
  }
  return success(strings);
}

const KEY_EXAMPLE = '{"key":"<base64 key>"}';

/** The body of POST /v1/keys/{install,use,remove}. The key itself is checked by the agent. */
export function parseKeyRequest(body: unknown): Parsed<string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return failure('invalid', `body must be a JSON object like ${KEY_EXAMPLE}`);
  }
  for (const field of Object.keys(body)) {
    if (field !== 'key') {
      return failure('invalid', `unknown field ${JSON.stringify(field)} (expected key)`);
    }
  }
  const key: unknown = (body as { key?: unknown }).key;
  if (typeof key !== 'string') {
    return failure('invalid', key === undefined ? `key is required, as in ${KEY_EXAMPLE}` : `key must be a string, not ${describe(key)}`);
  }
  return success(key);
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
