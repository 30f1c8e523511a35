import { isMemberStatus, MEMBER_STATUSES, type MemberStatus } from '../protocol/types.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * Query parameters are checked, not ignored: `?state=alive` silently returning every member
 * would look like a working filter.
 */
export function checkQueryNames(query: URLSearchParams, allowed: readonly string[]): Parsed<undefined> {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      const expected = allowed.length === 0 ? 'this endpoint takes none' : `expected ${allowed.join(', ')}`;
      return { ok: false, error: `unknown query parameter ${JSON.stringify(name)} (${expected})` };
    }
  }
  return { ok: true, value: undefined };
}

/**
 * The `status` filter of GET /v1/members: comma-separated, repeatable
 * (`?status=alive,suspect` or `?status=alive&status=suspect`). Undefined means no filter.
 */
export function parseStatusFilter(query: URLSearchParams): Parsed<ReadonlySet<MemberStatus> | undefined> {
  const values = query.getAll('status');
  if (values.length === 0) {
    return { ok: true, value: undefined };
  }
  const statuses = new Set<MemberStatus>();
  for (const raw of values.flatMap((value) => value.split(','))) {
    const candidate = raw.trim();
    if (!isMemberStatus(candidate)) {
      return {
        ok: false,
        error: `status: ${JSON.stringify(candidate)} is not one of ${MEMBER_STATUSES.join(', ')}`,
      };
    }
    statuses.add(candidate);
  }
  return { ok: true, value: statuses };
}

const JOIN_EXAMPLE = '{"addrs":["host:port"]}';

/** The body of POST /v1/join. Addresses themselves are checked by the agent when it resolves them. */
export function parseJoinRequest(body: unknown, maxAddrs: number): Parsed<string[]> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: `body must be a JSON object like ${JOIN_EXAMPLE}` };
  }
  // Reject unknown fields so a typo ("adrs") is an error rather than an empty join.
  for (const key of Object.keys(body)) {
    if (key !== 'addrs') {
      return { ok: false, error: `unknown field ${JSON.stringify(key)} (expected addrs)` };
    }
  }
  const addrs: unknown = (body as { addrs?: unknown }).addrs;
  if (addrs === undefined) {
    return { ok: false, error: `addrs is required, as in ${JOIN_EXAMPLE}` };
  }
  if (!Array.isArray(addrs)) {
    return { ok: false, error: 'addrs must be an array of "host:port" strings' };
  }
  const entries: readonly unknown[] = addrs;
  if (entries.length === 0) {
    return { ok: false, error: 'addrs must not be empty' };
  }
  if (entries.length > maxAddrs) {
    return { ok: false, error: `addrs has ${entries.length} entries; at most ${maxAddrs} are allowed` };
  }
  const strings: string[] = [];
  for (const [index, addr] of entries.entries()) {
    if (typeof addr !== 'string') {
      return { ok: false, error: `addrs[${index}] must be a "host:port" string, not ${describe(addr)}` };
    }
    strings.push(addr);
  }
  return { ok: true, value: strings };
}

const KEY_EXAMPLE = '{"key":"<base64 key>"}';

/** The body of POST /v1/keys/{install,use,remove}. The key itself is checked by the agent. */
export function parseKeyRequest(body: unknown): Parsed<string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: `body must be a JSON object like ${KEY_EXAMPLE}` };
  }
  for (const field of Object.keys(body)) {
    if (field !== 'key') {
      return { ok: false, error: `unknown field ${JSON.stringify(field)} (expected key)` };
    }
  }
  const key: unknown = (body as { key?: unknown }).key;
  if (typeof key !== 'string') {
    return { ok: false, error: key === undefined ? `key is required, as in ${KEY_EXAMPLE}` : `key must be a string, not ${describe(key)}` };
  }
  return { ok: true, value: key };
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
