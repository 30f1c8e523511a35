import { failure, success, type Failure, type Result } from '../result.js';
import { BODY_REFUSAL_REPLIES, type BodyRefusal } from './body.js';
import { errorReply, type Reply } from './reply.js';
import type { HttpRequest } from './route.js';

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

