/**
 * Char-code scans over strings: cheaper than regexes or TextEncoder in the decode hot path,
 * and one pass answers both "how many UTF-8 bytes" and "is it allowed".
 */

/** A string holds a C0 control character (U+0000–U+001F) or DEL (U+007F). */
export const TEXT_CONTROL = -1;
/** A string holds an unpaired UTF-16 surrogate: it cannot survive a UTF-8 round trip. */
export const TEXT_UNPAIRED_SURROGATE = -2;
/** A string is longer than the allowed number of UTF-8 bytes. */
export const TEXT_TOO_LONG = -3;

/**
 * UTF-8 byte length of `text`, or a negative TEXT_* code. Stops at the first problem, so a
 * hostile 9 KB string costs no more than the bytes needed to reject it.
 */
export function scanText(text: string, maxBytes: number, allowControl: boolean): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if (!allowControl && (code < 0x20 || code === 0x7f)) return TEXT_CONTROL;
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return TEXT_UNPAIRED_SURROGATE;
      i++;
      bytes += 4;
    } else {
      bytes += 3;
    }
    if (bytes > maxBytes) return TEXT_TOO_LONG;
  }
  return bytes;
}

/**
 * UTF-8 byte length as msgpackr writes the string. An unpaired surrogate counts 3 bytes, as
 * msgpackr (and Buffer) write one; validation refuses such strings anyway.
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
      continue;
    }
    // Three bytes for one UTF-16 unit, or four for a surrogate pair (two units).
    bytes += 2;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return bytes;
}

/** Index of the first character of `text` that `scanText` would refuse, for error details. */
export function firstBadCharIndex(text: string, allowControl: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!allowControl && (code < 0x20 || code === 0x7f)) return i;
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return i;
      i++;
    }
  }
  return -1;
}

/** `U+0007` style name of the character at `index`, for error details. */
export function codePointLabel(text: string, index: number): string {
  return `U+${text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
}
