import { addressKey, type Address } from './types.js';

/** An unvalidated address gets at most this many times the bytes it sent us (QUIC's factor, RFC 9000 §8.1). */
export const AMPLIFICATION_FACTOR = 3;

/**
 * The anti-amplification limit while one datagram is handled: what we send back to its source,
 * if that source is not a member's address and showed no valid cookie, stays within
 * AMPLIFICATION_FACTOR × the datagram's bytes. A forged source (a victim's address) thus gets
 * no more than the attacker spent. Piggybacked gossip shrinks to fit; a reply that cannot fit
 * is withheld and counted.
 */
export class ReplyBudget {
  private key: string | null = null;
  private bytesLeft = Infinity;

  /** Starts limiting replies to `from` to AMPLIFICATION_FACTOR × `receivedBytes`. */
  limit(from: Address, receivedBytes: number): void {
    this.key = addressKey(from);
    this.bytesLeft = AMPLIFICATION_FACTOR * receivedBytes;
  }

  /** The source proved its address (a valid cookie): no limit for the rest of this datagram. */
  lift(): void {
    this.key = null;
    this.bytesLeft = Infinity;
  }

  /** Bytes that may still go to `to` (Infinity: unlimited). */
  roomFor(to: Address): number {
    return this.key !== null && addressKey(to) === this.key ? this.bytesLeft : Infinity;
  }

  /** Takes `bytes` for a datagram to `to`; false (nothing taken) if it does not fit. */
  take(to: Address, bytes: number): boolean {
    const room = this.roomFor(to);
    if (room === Infinity) return true;
    if (bytes > room) return false;
    this.bytesLeft -= bytes;
    return true;
  }
}
