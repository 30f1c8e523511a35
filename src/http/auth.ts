import { createHash, timingSafeEqual } from 'node:crypto';

/** Why a request that needs the token is refused, or null when it may go ahead. */
export type TokenCheck = null | 'missing' | 'invalid';

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * Checks `Authorization: Bearer <token>` against the agent's token. Both sides are hashed
 * first and compared with timingSafeEqual, so neither the content nor the length of the
 * expected token leaks through response timing.
 */
export function checkBearer(header: string | undefined, token: string): TokenCheck {
  if (header === undefined || header === '') return 'missing';
  const match = BEARER.exec(header);
  const given = match?.[1];
  if (given === undefined) return 'invalid';
  return timingSafeEqual(digest(given), digest(token)) ? null : 'invalid';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
