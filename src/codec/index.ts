/**
 * gossipd's codec: typed messages <-> UDP datagrams. Pure: no node:* imports, no clock, no
 * randomness.
 *
 * Wire format (version 1). A datagram is a 5-byte header and one msgpack array of messages:
 *   byte 0      protocol version (PROTOCOL_VERSION)
 *   bytes 1..4  cluster tag: FNV-1a 32 of the UTF-8 cluster name, big-endian
 *   bytes 5..   [message, ...]   1..255 message tuples, nothing after the array
 * Message tuples (statusCode: 0 alive, 1 suspect, 2 failed, 3 left; tags: map string->string):
 *   ping      [0, seq, target, coordinate?]
 *   ack       [1, seq, coordinate?]
 *   nack      [2, seq]
 *   ping-req  [3, seq, target, host, port, wantNack]
 *   alive     [4, name, incarnation, host, port, tags]
 *   suspect   [5, name, incarnation, from, ageMs?]
 *   failed    [6, name, incarnation, from]
 *   left      [7, name, incarnation]
 *   sync      [8, digest, members, join, nonce?, cookie?]
 *   state     [9, full, [[name, host, port, incarnation, statusCode, tags], ...]]
 *   key-request   [10, id, opCode, key, sentAtS, name]  opCode: 0 list, 1 install, 2 use, 3 remove, 4 enforce, 5 relax
 *   key-response  [11, id, name, ok, error, [keyId, ...], modeCode]  modeCode: 0 plaintext, 1 encrypt, 2 enforce
 *   buckets   [12, nonce, [sum, ...], count?, offset?] 1..256 sums, a power of two; a part of
 *                                                      count (≤ 4,096) buckets from offset
 *   pull      [13, cookie, bucketCount, [index, ...], nonce?, offset?]
 *                                                      ≤ 256 indices ascending, below bucketCount;
 *                                                      with the part of round nonce's sums wanted next
 *   challenge [14, nonce, cookie, members]
 *   introduce [15]
 *   user-event    [16, origin, epoch, seq, ltime, name, payload, coalesce]
 *   event-clock   [17, ltime]
 *   forget        [18, name, incarnation]
 *   query         [19, id, origin, host, port, name, payload, [node, ...], tags, timeoutMs]
 *   query-ack     [20, id, from]
 *   query-response [21, id, from, payload]
 * coordinate: [[vec0, …, vec7], height, adjustment, error], numbers in seconds, fractions as
 * float32 (so a peer receives each number rounded to float32: Math.fround) (Vivaldi, see
 * protocol/coordinate.ts); a bad one is dropped and counted (Codec.coordinatesDropped), its
 * message kept. Elements marked ? are optional trailing ones: older peers omit them.
 * Key messages travel inside encrypted datagrams (src/crypto wraps the whole datagram), except
 * `list` and `install` on a member with no key in use (see docs/encryption.md).
 * A packet's size is exactly packetOverheadBytes(n) + Σ messageSize(m) ≤ PACKET_OVERHEAD_BYTES + Σ.
 */
export { createCodec, DROP_REASONS } from './codec.js';
export type { Codec, CodecOptions, DecodeResult, DropReason } from './codec.js';
export { clusterTag, HEADER_BYTES, PROTOCOL_VERSION } from './header.js';
export { LIMITS } from './limits.js';
export { messageSize, packetOverheadBytes, PACKET_OVERHEAD_BYTES, tagsEncodedBytes } from './sizes.js';
export { validateEventName, validateHost, validateName, validatePayload, validatePort, validateTags } from './fields.js';
export { validateMessage } from './validate.js';
