import { createHmac, randomBytes } from 'node:crypto';
import type { AddressCookie } from '../protocol/address-validation.js';

/**
 * The daemon's address cookies: HMAC-SHA-256 of (address, time window) under a random key made
 * at start and never stored or sent, truncated to 32 bits. A forger must guess 1 in 2^32 per
 * datagram; after a restart old cookies are refused and peers are simply challenged again.
 */
export function createAddressCookie(): AddressCookie {
  const key = randomBytes(32);
  return (addressKey, window) => createHmac('sha256', key).update(`${addressKey}|${window}`).digest().readUInt32BE(0);
}
