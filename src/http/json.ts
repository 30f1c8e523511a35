/** The Content-Type of every JSON answer, errors included (DESIGN.md §3). */
export const JSON_CONTENT_TYPE = 'application/json';

/**
 * The bytes of a reply body: JSON plus a trailing newline, so `curl` output ends cleanly.
 * Throws if the body cannot be represented as JSON (a BigInt, a cycle), which is a bug in
 * whatever produced it; the server turns that into a 500.
 */
export function encodeJson(body: unknown): Buffer {
  const text: string | undefined = JSON.stringify(body);
  if (text === undefined) {
    throw new TypeError(`cannot encode ${typeof body} as JSON`);
  }
  return Buffer.from(`${text}\n`, 'utf8');
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
