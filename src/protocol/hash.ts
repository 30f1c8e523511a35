/**
 * FNV-1a, 32-bit: the one small non-cryptographic hash of the project (table digests, the
 * datagram's cluster tag, the simulator's per-member seeds).
 */
export const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Folds one value (a byte, a UTF-16 code unit, a 16-bit half) into the hash. */
export function fnv1aStep(hash: number, value: number): number {
  return Math.imul(hash ^ value, FNV_PRIME);
}

/** FNV-1a over the UTF-16 code units of `text`, continuing from `hash`; not yet made unsigned. */
export function fnv1aText(text: string, hash = FNV_OFFSET_BASIS): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = fnv1aStep(h, text.charCodeAt(i));
  return h;
}

/**
 * A well-spread 32-bit position for a name (FNV-1a, then murmur3's finaliser): names that
 * differ in one character (web-01, web-02) land far apart, not side by side.
 */
export function spreadHash(text: string): number {
  let h = fnv1aText(text) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
