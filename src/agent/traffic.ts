import { MESSAGE_TYPES, type Message, type MessageType } from '../protocol/messages.js';

/** Datagrams and bytes, one way, by message type. */
export interface TrafficTotals {
  readonly packets: Record<MessageType, number>;
  readonly bytes: Record<MessageType, number>;
}

/**
 * What went over the wire, by message type, for the metrics endpoint. A datagram often
 * carries several messages (a ping with piggybacked gossip); it is counted once, and all its
 * bytes go to its first message's type, which is why it was sent (the probe, the ack, the
 * state chunk). Bytes are as on the wire: encryption overhead included, IP/UDP headers not.
 */
export class TrafficCounters {
  readonly sent: TrafficTotals = emptyTotals();
  readonly received: TrafficTotals = emptyTotals();

  countSent(messages: readonly Message[], bytes: number): void {
    count(this.sent, messages, bytes);
  }

  countReceived(messages: readonly Message[], bytes: number): void {
    count(this.received, messages, bytes);
  }
}

function count(totals: TrafficTotals, messages: readonly Message[], bytes: number): void {
  const first = messages[0];
  if (first === undefined) return;
  totals.packets[first.type]++;
  totals.bytes[first.type] += bytes;
}

function emptyTotals(): TrafficTotals {
  // Every type present from the start, so each series exists before its first packet.
  const zeros = (): Record<MessageType, number> =>
    Object.fromEntries(MESSAGE_TYPES.map((type) => [type, 0])) as Record<MessageType, number>;
  return { packets: zeros(), bytes: zeros() };
}
