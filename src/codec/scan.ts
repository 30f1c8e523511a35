import { failure, type Failure } from '../result.js';
import { LIMITS } from './limits.js';

/** The drop reasons (see DropReason) a scan can give. */
export type ScanFailure = Failure<'malformed' | 'invalid-message' | 'too-many-messages'>;

/**
 * One pass over the msgpack body that builds nothing, run before msgpackr sees the bytes.
 *
 * Why: msgpackr is a general decoder. It recurses per nesting level (a 9 KB nesting bomb costs
 * it ~1.5 ms to overflow the stack: a 1000× amplification over a normal packet) and it honours
 * extensions (records compiled with `new Function`, Error, RegExp, Date, typed arrays…). This
 * walk admits scalars, strings, arrays and maps nested at most LIMITS.maxNestingDepth deep —
 * no bin, no ext — and checks that exactly one value (an array of 1..255 messages) fills the
 * body, so msgpackr then only ever decodes small, well-formed, shallow input. Scalars of the
 * wrong kind (nil, floats, 64-bit or negative integers) pass here on purpose: validation names
 * the field they sit in. Iterative, so its cost is linear in the bytes, whatever they are.
 */
export function scanBody(bytes: Uint8Array, start: number): ScanFailure | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  const top = topLevelArray(view, start, end);
  if (typeof top === 'string') return malformed(top);
  const [count, first] = top;
  if (count === 0) return malformed('the packet holds no messages');
  if (count > LIMITS.maxMessagesPerPacket) {
    return failure('too-many-messages', `${count} messages (max ${LIMITS.maxMessagesPerPacket})`);
  }
  // remaining[d]: values still to read in the container open at depth d (0 = the message list,
  // nesting level 1), so a container opened at depth d is nesting level d + 2.
  const remaining = new Array<number>(LIMITS.maxNestingDepth).fill(0);
  remaining[0] = count;
  let depth = 0;
  let message = -1;
  let p = first;
  for (;;) {
    const left = remaining[depth] ?? 0;
    if (left === 0) {
      if (depth === 0) break;
      depth--;
      continue;
    }
    remaining[depth] = left - 1;
    if (depth === 0) message++;
    if (p >= end) return truncated(message);
    const token = view.getUint8(p++);
    let skip = 0;
    let items = -1;
    if (token <= 0x7f || token >= 0xe0) {
      // positive or negative fixint
    } else if (token <= 0x8f) {
      items = (token & 0x0f) * 2;
    } else if (token <= 0x9f) {
      items = token & 0x0f;
    } else if (token <= 0xbf) {
      skip = token & 0x1f;
    } else {
      const width = lengthWidth(token);
      if (width > 0) {
        if (p + width > end) return truncated(message);
        const length = readLength(view, p, width);
        p += width;
        if (token <= 0xdb) skip = length; // str 8/16/32
        else if (token <= 0xdd) items = length; // array 16/32
        else items = length * 2; // map 16/32: keys and values
      } else {
        skip = scalarBytes(token);
        if (skip < 0) return unsupported(message, token);
      }
    }
    if (items >= 0) {
      if (depth + 2 > LIMITS.maxNestingDepth) {
        return invalid(message, `nested deeper than ${LIMITS.maxNestingDepth} levels`);
      }
      // Every value takes at least one byte: an absurd declared length fails here, in O(1).
      if (items > end - p) return truncated(message);
      remaining[++depth] = items;
    } else {
      if (skip > end - p) return truncated(message);
      p += skip;
    }
  }
  if (p !== end) return malformed(`${end - p} trailing bytes after the message array`);
  return null;
}

/** Payload bytes after a scalar token from 0xc0..0xdf, or -1 for bin, ext and 0xc1. */
function scalarBytes(token: number): number {
  switch (token) {
    case 0xc0: // nil
    case 0xc2: // false
    case 0xc3: // true
      return 0;
    case 0xcc: // uint 8
    case 0xd0: // int 8
      return 1;
    case 0xcd: // uint 16
    case 0xd1: // int 16
      return 2;
    case 0xca: // float 32
    case 0xce: // uint 32
    case 0xd2: // int 32
      return 4;
    case 0xcb: // float 64
    case 0xcf: // uint 64
    case 0xd3: // int 64
      return 8;
    default:
      return -1;
  }
}

/** Bytes of the length field after a str/array/map 8, 16 or 32 token; 0 for any other token. */
function lengthWidth(token: number): number {
  switch (token) {
    case 0xd9:
      return 1;
    case 0xda:
    case 0xdc:
    case 0xde:
      return 2;
    case 0xdb:
    case 0xdd:
    case 0xdf:
      return 4;
    default:
      return 0;
  }
}

function readLength(view: DataView, p: number, width: number): number {
  return width === 1 ? view.getUint8(p) : width === 2 ? view.getUint16(p) : view.getUint32(p);
}

/** [count, position after the header] of the top-level array, or why there is none. */
function topLevelArray(view: DataView, start: number, end: number): readonly [number, number] | string {
  if (start >= end) return 'empty body';
  const token = view.getUint8(start);
  if (token >= 0x90 && token <= 0x9f) return [token & 0x0f, start + 1];
  if (token === 0xdc && start + 3 <= end) return [view.getUint16(start + 1), start + 3];
  if (token === 0xdd && start + 5 <= end) return [view.getUint32(start + 1), start + 5];
  return `the body is not a msgpack array (first byte 0x${hex(token)})`;
}

const UNSUPPORTED_NAMES: Readonly<Record<number, string>> = {
  0xc1: 'never-used byte',
  0xc4: 'bin 8',
  0xc5: 'bin 16',
  0xc6: 'bin 32',
  0xc7: 'ext 8',
  0xc8: 'ext 16',
  0xc9: 'ext 32',
  0xd4: 'fixext 1',
  0xd5: 'fixext 2',
  0xd6: 'fixext 4',
  0xd7: 'fixext 8',
  0xd8: 'fixext 16',
};

function unsupported(message: number, token: number): ScanFailure {
  const name = UNSUPPORTED_NAMES[token] ?? 'token';
  return invalid(message, `unsupported msgpack type ${name} (0x${hex(token)})`);
}

function invalid(message: number, problem: string): ScanFailure {
  return failure('invalid-message', `message ${message}: ${problem}`);
}

function truncated(message: number): ScanFailure {
  return malformed(`truncated inside message ${message}`);
}

function malformed(error: string): ScanFailure {
  return failure('malformed', error);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
