/**
 * The 5-byte datagram header: a protocol version byte, then the cluster tag (big-endian), so
 * a packet from another protocol version or another cluster is dropped before it is parsed.
 */

import { FNV_OFFSET_BASIS, fnv1aStep } from '../protocol/hash.js';

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 5;

/**
 * FNV-1a 32-bit hash of the cluster name's UTF-8 bytes. Hashed byte by byte from the UTF-16
 * string (unpaired surrogates as U+FFFD, like TextEncoder) so that no buffer is allocated.
 */
export function clusterTag(cluster: string): number {
  let hash = FNV_OFFSET_BASIS;
  const step = (byte: number): void => {
    hash = fnv1aStep(hash, byte);
  };
  for (let i = 0; i < cluster.length; i++) {
    let code = cluster.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = cluster.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        code = 0xfffd;
      }
    }
    if (code < 0x80) {
      step(code);
    } else if (code < 0x800) {
      step(0xc0 | (code >> 6));
      step(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      step(0xe0 | (code >> 12));
      step(0x80 | ((code >> 6) & 0x3f));
      step(0x80 | (code & 0x3f));
    } else {
      step(0xf0 | (code >> 18));
      step(0x80 | ((code >> 12) & 0x3f));
      step(0x80 | ((code >> 6) & 0x3f));
      step(0x80 | (code & 0x3f));
    }
  }
  return hash >>> 0;
}

export function writeHeader(target: Uint8Array, tag: number): void {
  target[0] = PROTOCOL_VERSION;
  target[1] = tag >>> 24;
  target[2] = (tag >>> 16) & 0xff;
  target[3] = (tag >>> 8) & 0xff;
  target[4] = tag & 0xff;
}

/** The cluster tag of a datagram at least HEADER_BYTES long. */
export function readTag(bytes: Uint8Array): number {
  return (((bytes[1] ?? 0) << 24) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 8) | (bytes[4] ?? 0)) >>> 0;
}
