import { failure, success, type Failure, type Ok, type Result } from '../result.js';
import { BODY_REFUSAL_REPLIES, type BodyRefusal } from './body.js';
import { errorReply, type Reply } from './reply.js';
import type { HttpRequest } from './route.js';
import type { Parsed } from './validate.js';

/** A request body parsed as JSON, or why not: it could not be read, or it is not JSON. */
type JsonBody = Result<unknown, BodyRefusal | 'not-json'>;

export async function readJsonBody(request: HttpRequest): Promise<JsonBody> {
  const body = await request.readBody();
  if (!body.ok) return body;
  try {
    const value: unknown = JSON.parse(body.value.toString('utf8'));
    return success(value);
  } catch {
    return failure('not-json', 'body is not valid JSON');
  }
}

export function bodyRefusalReply(refused: Failure<BodyRefusal | 'not-json'>): Reply {
  if (refused.reason === 'not-json') return errorReply(400, refused.error);
  const { status, closeConnection } = BODY_REFUSAL_REPLIES[refused.reason];
  return { ...errorReply(status, refused.error), closeConnection };
}


/**
 * A JSON body checked by `parse`: its value, or the reply that refuses it (413/400 for a body
 * that cannot be read or is not JSON, 400 naming the problem for one `parse` rejects).
 */
export async function readParsedBody<T>(request: HttpRequest, parse: (body: unknown) => Parsed<T>): Promise<Ok<T> | Refused> {
  const body = await readJsonBody(request);
  if (!body.ok) return { ok: false, reply: bodyRefusalReply(body) };
  const parsed = parse(body.value);
  return parsed.ok ? parsed : { ok: false, reply: errorReply(400, parsed.error) };
}

interface Refused {
  readonly ok: false;
  readonly reply: Reply;
}
