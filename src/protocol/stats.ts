import type { Message, MessageType } from './messages.js';

/** Counters the core keeps about its own work, read by the shell for health and metrics. */
export class NodeStats {
  probes = 0;
  probesAcked = 0;
  indirectProbes = 0;
  probesFailed = 0;
  suspicionsStarted = 0;
  suspicionsConfirmed = 0;
  suspicionsGated = 0;
  refutations = 0;
  stalls = 0;
  misdirectedPings = 0;
  relaysRefused = 0;
  syncsStarted = 0;
  statesSent = 0;
  packetsSent = 0;
  packetsReceived = 0;
  readonly messagesSent: Record<MessageType, number> = {
    ping: 0,
    ack: 0,
    nack: 0,
    'ping-req': 0,
    alive: 0,
    suspect: 0,
    failed: 0,
    left: 0,
    sync: 0,
    state: 0,
  };
  /** Sum and count of probe round-trip times, for the mean. */
  rttSumMs = 0;
  rttCount = 0;

  countSent(messages: readonly Message[]): void {
    this.packetsSent++;
    for (const message of messages) this.messagesSent[message.type]++;
  }

  recordRtt(ms: number): void {
    this.rttSumMs += ms;
    this.rttCount++;
  }
}
