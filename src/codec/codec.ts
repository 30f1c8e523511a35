// The subpaths, not 'msgpackr': under Node its main entry also loads the record extension, the
// stream classes and a native string decoder (a .node addon), about 5 MB of an agent's RSS for
// nothing this codec uses.
import { FLOAT32_OPTIONS, Packr, RESERVE_START_SPACE } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';
import type { Message } from '../protocol/messages.js';
import { failure, success, type Failure, type Result } from '../result.js';
import { HEADER_BYTES, PROTOCOL_VERSION, clusterTag, readTag, writeHeader } from './header.js';
import { LIMITS } from './limits.js';
import { scanBody } from './scan.js';
import { toTuple } from './tuples.js';
import { parseMessage, validateMessage } from './validate.js';

export const DROP_REASONS = [
  'too-large',
  'too-short',
  'bad-version',
  'wrong-cluster',
  'malformed',
  'invalid-message',
  'too-many-messages',
] as const;

/** Why a datagram was dropped: one counter per reason is what an operator wants to see. */
export type DropReason = (typeof DROP_REASONS)[number];

/** A packet's messages, or why it was dropped (the reason counted, the error logged). */
export type DecodeResult = Result<readonly Message[], DropReason>;

export interface CodecOptions {
  /** Cluster name; its FNV-1a tag is stamped on every packet and checked on every receipt. */
  readonly cluster: string;
}

export interface Codec {
  readonly cluster: string;
  /**
   * One datagram carrying `messages`. Throws only on a programmer error: an empty list, more
   * than LIMITS.maxMessagesPerPacket messages, a message that breaks a limit, or a datagram
   * over LIMITS.maxDatagramBytes. The result may be a view into a shared slab: read it through
   * its byteOffset/byteLength (as dgram does), do not hand out its `.buffer`.
   */
  encode(messages: readonly Message[]): Uint8Array;
  /** Never throws: anything that is not a valid packet of this cluster is a drop reason. */
  decode(bytes: Uint8Array): DecodeResult;
  /**
   * Coordinates dropped from pings and acks this codec decoded (wrong shape, not finite, out of
   * bounds): the message itself was kept without its coordinate.
   */
  readonly coordinatesDropped: number;
}

/**
 * A codec for one cluster. Each agent makes its own: the msgpackr Packr keeps a write buffer
 * between calls, and nothing is shared at module level.
 */
export function createCodec(options: CodecOptions): Codec {
  const cluster = options.cluster;
  const tag = clusterTag(cluster);
  // Fractions go out as float32 (5 bytes, not 9): the only ones are coordinates, where 7
  // significant digits are far finer than any round trip, and they are a third of a ping.
  const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true, useFloat32: FLOAT32_OPTIONS.ALWAYS });
  // Maps stay Maps on decode: tag keys are checked to be strings and rebuilt without a prototype
  // hazard, instead of msgpackr coercing keys and renaming `__proto__`.
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false });
  let coordinatesDropped = 0;
  const coordinateDropped = (): void => {
    coordinatesDropped++;
  };

  function encode(messages: readonly Message[]): Uint8Array {
    if (messages.length === 0 || messages.length > LIMITS.maxMessagesPerPacket) {
      throw new RangeError(`a packet carries 1..${LIMITS.maxMessagesPerPacket} messages, got ${messages.length}`);
    }
    const tuples: unknown[] = [];
    for (const message of messages) {
      const problem = validateMessage(message);
      if (problem !== null) {
        throw new TypeError(`cannot encode message ${tuples.length} (${message.type}): ${problem}`);
      }
      tuples.push(toTuple(message));
    }
    // msgpackr leaves HEADER_BYTES free in front of the array: no second buffer, no copy.
    const packet = packr.pack(tuples, RESERVE_START_SPACE | HEADER_BYTES);
    if (packet.length > LIMITS.maxDatagramBytes) {
      const limit = LIMITS.maxDatagramBytes;
      throw new RangeError(`packet of ${packet.length} bytes exceeds ${limit}: size packets with messageSize()`);
    }
    writeHeader(packet, tag);
    return packet;
  }

  function decodeUnchecked(bytes: Uint8Array): DecodeResult {
    if (bytes.length > LIMITS.maxDatagramBytes) {
      return drop('too-large', `${bytes.length} bytes (max ${LIMITS.maxDatagramBytes})`);
    }
    if (bytes.length < LIMITS.minDatagramBytes) {
      return drop('too-short', `${bytes.length} bytes (min ${LIMITS.minDatagramBytes})`);
    }
    if (bytes[0] !== PROTOCOL_VERSION) {
      return drop('bad-version', `protocol version ${bytes[0] ?? '?'} (expected ${PROTOCOL_VERSION})`);
    }
    const packetTag = readTag(bytes);
    if (packetTag !== tag) {
      return drop('wrong-cluster', `cluster tag ${hex32(packetTag)} (expected ${hex32(tag)})`);
    }
    const refused = scanBody(bytes, HEADER_BYTES);
    if (refused !== null) return refused;
    const value: unknown = unpackr.unpack(bytes.subarray(HEADER_BYTES));
    if (!Array.isArray(value)) return drop('malformed', `the body decoded to ${typeof value}`);
    const list: readonly unknown[] = value;
    const messages: Message[] = [];
    for (let i = 0; i < list.length; i++) {
      const message = parseMessage(list[i], i, coordinateDropped);
      if (typeof message === 'string') return drop('invalid-message', message);
      messages.push(message);
    }
    return success(messages);
  }

  function decode(bytes: Uint8Array): DecodeResult {
    try {
      return decodeUnchecked(bytes);
    } catch (error) {
      // The scan makes this unreachable in practice; it is here so that no byte sequence,
      // and no msgpackr surprise, can ever throw into the event loop.
      return drop('malformed', `decoder error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return {
    cluster,
    encode,
    decode,
    get coordinatesDropped() {
      return coordinatesDropped;
    },
  };
}

function drop(reason: DropReason, error: string): Failure<DropReason> {
  return failure(reason, error);
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
