import type { StreamBody } from './stream.js';

/** What a route answers: a JSON body (DESIGN.md §3: errors are JSON too), or `raw` text. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** Sent instead of `body` when set: a text format that is not JSON (GET /metrics). */
  readonly raw?: { readonly contentType: string; readonly text: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** Ask for the connection to be closed after this response (its input was not all read). */
  readonly closeConnection?: boolean;
  /** Sent instead of `body` when set: JSON already encoded (a cached listing). */
  readonly encoded?: Buffer;
  /** Sent instead of `body` when set: a body written over time (GET /v1/events); see stream.ts. */
  readonly stream?: StreamBody;
}

export function jsonReply(status: number, body: unknown): Reply {
  return { status, body };
}

/** A 200 whose body is `text` as it is, for formats other programs define (Prometheus). */
export function rawReply(contentType: string, text: string): Reply {
  return { status: 200, body: null, raw: { contentType, text } };
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
