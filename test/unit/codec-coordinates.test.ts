import { describe, expect, it } from 'vitest';
import { rawPacketFor } from './raw-packet.js';
import { createCodec, LIMITS, messageSize, packetOverheadBytes, validateMessage } from '../../src/codec/index.js';
import type { Coordinate } from '../../src/protocol/coordinate.js';
import type { Ack, Ping } from '../../src/protocol/messages.js';
import { nodeName, seqNo } from '../../src/protocol/types.js';

const CLUSTER = 'coords';

const rawPacket = rawPacketFor(CLUSTER);

const coordinate: Coordinate = {
  vec: [0.0123, -0.004, 0, 1e-7, -0.25, 3, 0.5, -9.99],
  height: 0.000_15,
  adjustment: -0.0012,
  error: 0.37,
};

const ping: Ping = { type: 'ping', seq: seqNo(7), target: nodeName('node-b'), wantsCoordinate: true };
const ack: Ack = { type: 'ack', seq: seqNo(70_000), coordinate };

describe('coordinates on the wire', () => {
  it('round-trips a ping asking for a coordinate (one byte) and an ack with one (fractions as float32); messageSize is exact', () => {
    const codec = createCodec({ cluster: CLUSTER });
    const asFloat32: Coordinate = {
      vec: coordinate.vec.map(Math.fround),
      height: Math.fround(coordinate.height),
      adjustment: Math.fround(coordinate.adjustment),
      error: Math.fround(coordinate.error),
    };
    const pingBytes = codec.encode([ping]);
    expect(pingBytes.length).toBe(packetOverheadBytes(1) + messageSize(ping));
    expect(messageSize(ping) - messageSize({ type: 'ping', seq: ping.seq, target: ping.target })).toBe(1);
    expect(codec.decode(pingBytes)).toEqual({ ok: true, value: [ping] });
    const ackBytes = codec.encode([ack]);
    expect(ackBytes.length).toBe(packetOverheadBytes(1) + messageSize(ack));
    expect(codec.decode(ackBytes)).toEqual({ ok: true, value: [{ ...ack, coordinate: asFloat32 }] });
    // 11 numbers of 5 bytes at most (float32), two array headers.
    expect(messageSize(ack) - messageSize({ type: 'ack', seq: ack.seq })).toBeLessThanOrEqual(57);
    // Integers, negative integers and fractions take different msgpack widths: all counted right.
    const mixed: Ack = { type: 'ack', seq: seqNo(1), coordinate: { vec: [0, 1, -1, -10, 0.000001, 0.5, 9, -3], height: 0, adjustment: -5, error: 1 } };
    expect(codec.encode([mixed]).length).toBe(packetOverheadBytes(1) + messageSize(mixed));
    expect(codec.coordinatesDropped).toBe(0);
  });

  it('still decodes pings and acks without a coordinate (peers that predate them)', () => {
    const codec = createCodec({ cluster: CLUSTER });
    expect(codec.decode(rawPacket([[0, 7, 'node-b'], [1, 8]]))).toEqual({
      ok: true,
      value: [
        { type: 'ping', seq: 7, target: 'node-b' },
        { type: 'ack', seq: 8 },
      ],
    });
  });

  const vec = (x: number): number[] => [x, 0, 0, 0, 0, 0, 0, 0];
  const badCoordinates: Array<[string, unknown]> = [
    ['NaN in vec', [vec(NaN), 0.001, 0, 1]],
    ['Infinity in vec', [vec(Infinity), 0.001, 0, 1]],
    ['huge vec', [vec(1e9), 0.001, 0, 1]],
    ['just over the bound', [vec(LIMITS.maxCoordinateS * 1.0001), 0.001, 0, 1]],
    ['7 dimensions', [[0, 0, 0, 0, 0, 0, 0], 0.001, 0, 1]],
    ['9 dimensions', [[0, 0, 0, 0, 0, 0, 0, 0, 0], 0.001, 0, 1]],
    ['string in vec', [['x', 0, 0, 0, 0, 0, 0, 0], 0.001, 0, 1]],
    ['negative height', [vec(0), -0.001, 0, 1]],
    ['NaN height', [vec(0), NaN, 0, 1]],
    ['-Infinity adjustment', [vec(0), 0.001, -Infinity, 1]],
    ['huge adjustment', [vec(0), 0.001, 1e6, 1]],
    ['negative error', [vec(0), 0.001, 0, -0.1]],
    ['error above the max', [vec(0), 0.001, 0, LIMITS.maxCoordinateError + 0.5]],
    ['not an array', 'coordinate'],
    ['nil', null],
    ['a map', new Map([['vec', vec(0)]])],
    ['three elements', [vec(0), 0.001, 0]],
    ['vec not an array', [5, 0.001, 0, 1]],
  ];

  it.each(badCoordinates)('drops a coordinate with %s, keeps the ack, counts it', (_label, bad) => {
    const codec = createCodec({ cluster: CLUSTER });
    const decoded = codec.decode(rawPacket([[1, 8, bad]]));
    expect(decoded).toEqual({ ok: true, value: [{ type: 'ack', seq: 8 }] });
    expect(codec.coordinatesDropped).toBe(1);
  });

  it.each([['false', false], ['a number', 1], ['a coordinate', [vec(0), 0.001, 0, 1]], ['nil', null]])(
    'drops a ping request that is %s (only true asks), keeps the ping, counts it',
    (_label, bad) => {
      const codec = createCodec({ cluster: CLUSTER });
      expect(codec.decode(rawPacket([[0, 7, 'node-b', bad]]))).toEqual({ ok: true, value: [{ type: 'ping', seq: 7, target: 'node-b' }] });
      expect(codec.coordinatesDropped).toBe(1);
    },
  );

  it('accepts a coordinate at the bounds', () => {
    const codec = createCodec({ cluster: CLUSTER });
    const max = LIMITS.maxCoordinateS;
    const edge = [[max, -max, 0, 0, 0, 0, 0, 0], max, -max, LIMITS.maxCoordinateError];
    const decoded = codec.decode(rawPacket([[1, 8, edge]]));
    expect(decoded.ok && decoded.value[0]).toEqual({ type: 'ack', seq: 8, coordinate: { vec: edge[0], height: max, adjustment: -max, error: 1.5 } });
    expect(codec.coordinatesDropped).toBe(0);
  });

  it('refuses to encode a bad coordinate of our own, naming the field', () => {
    expect(validateMessage({ ...ack, coordinate: { ...coordinate, height: NaN } })).toMatch(/coordinate height is NaN/);
    expect(validateMessage({ ...ack, coordinate: { ...coordinate, vec: [0, 0] } })).toMatch(/coordinate vec has 2 dimensions/);
    expect(() => createCodec({ cluster: CLUSTER }).encode([{ ...ack, coordinate: { ...coordinate, error: Infinity } }])).toThrow(/coordinate error/);
  });
});
