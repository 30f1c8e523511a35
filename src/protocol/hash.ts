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
