import { Packr } from 'msgpackr';
import { clusterTag, HEADER_BYTES, PROTOCOL_VERSION } from '../../src/codec/index.js';

const rawPackr = new Packr({ useRecords: false, variableMapSize: true });

/**
 * Datagrams of `cluster` whose body is a value packed as it is, past the encoder's checks: what
 * a hostile or broken sender could put on the wire, for decode tests.
 */
export function rawPacketFor(cluster: string): (value: unknown) => Uint8Array {
  return (value) => {
    const body = rawPackr.pack(value);
    const packet = new Uint8Array(HEADER_BYTES + body.length);
    packet[0] = PROTOCOL_VERSION;
    new DataView(packet.buffer).setUint32(1, clusterTag(cluster));
    packet.set(body, HEADER_BYTES);
    return packet;
  };
}
