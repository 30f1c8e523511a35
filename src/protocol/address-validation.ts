import { FNV_OFFSET_BASIS, fnv1aText } from './hash.js';
import { PROTOCOL_LIMITS } from './limits.js';
import type { Address } from './types.js';
import { addressKey } from './types.js';

/**
 * A keyed 32-bit hash of an address (its addressKey) and a time window number. The daemon uses
 * HMAC-SHA-256 with a random per-process key; the simulator a seeded hash. Injected, so the
 * core holds no secret code and no clock of its own.
 */
export type AddressCookie = (addressKey: string, window: number) => number;

/** How long one cookie window lasts; a cookie is accepted in its window and the next. */
export const COOKIE_WINDOW_MS = 60_000;

/**
 * Address validation, as QUIC does it (RFC 9000 §8.1): before a large answer (a whole table,
 * bucket digests, bucket entries) goes to an address, the address must show that it receives
 * our datagrams by echoing a cookie we sent it. The cookie is stateless on our side (a keyed
 * hash of the address and the time window), so a flood of forged joins costs no memory.
 * The cookies others gave us are kept per peer address, so a second round with the same peer
 * needs no extra round trip.
 */
export class AddressValidation {
  /** Cookies peers gave us, by their addressKey, oldest first (a bounded map). */
  private readonly held = new Map<string, number>();

  constructor(private readonly cookie: AddressCookie) {}

  /** Our cookie for `addr` at `nowMs`: what a challenge carries. */
  cookieFor(addr: Address, nowMs: number): number {
    return this.cookie(addressKey(addr), windowOf(nowMs)) >>> 0;
  }

  /** Whether `cookie` is one we gave `addr` in this window or the one before. */
  isValid(addr: Address, cookie: number | undefined, nowMs: number): boolean {
    if (cookie === undefined) return false;
    const key = addressKey(addr);
    const window = windowOf(nowMs);
    return cookie === this.cookie(key, window) >>> 0 || cookie === this.cookie(key, window - 1) >>> 0;
  }

  /** Keeps the cookie a peer gave us for our address, to echo in later rounds with it. */
  remember(addr: Address, cookie: number): void {
    const key = addressKey(addr);
    this.held.delete(key);
    this.held.set(key, cookie);
    if (this.held.size > PROTOCOL_LIMITS.maxHeldCookies) {
      const oldest = this.held.keys().next();
      if (oldest.done !== true) this.held.delete(oldest.value);
    }
  }

  heldFor(addr: Address): number | undefined {
    return this.held.get(addressKey(addr));
  }

  get heldCount(): number {
    return this.held.size;
  }
}

function windowOf(nowMs: number): number {
  return Math.floor(nowMs / COOKIE_WINDOW_MS);
}

/**
 * A cookie hash from a 32-bit secret (FNV-1a keyed by the secret, then murmur3's finaliser):
 * for the simulator and tests, where the secret comes from the run's seed. Not for the daemon:
 * 32 bits of key can be searched offline; it uses HMAC-SHA-256 (src/agent/address-cookie.ts).
 */
export function seededAddressCookie(secret: number): AddressCookie {
  return (key, window) => {
    let h = fnv1aText(key, (FNV_OFFSET_BASIS ^ secret) >>> 0);
    h = Math.imul(h ^ window, 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
}
