/** What a route answers: always a JSON body (DESIGN.md §3: errors are JSON too). */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Ask for the connection to be closed after this response (its input was not all read). */
  readonly closeConnection?: boolean;
}

export function jsonReply(status: number, body: unknown): Reply {
  return { status, body };
}

export function errorReply(status: number, message: string): Reply {
  return { status, body: { error: message } };
}

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
