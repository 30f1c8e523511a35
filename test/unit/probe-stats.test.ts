import { describe, expect, it } from 'vitest';
import type { Message, Ping } from '../../src/protocol/messages.js';
import { PROFILES } from '../../src/protocol/options.js';
import { incarnation, nodeName } from '../../src/protocol/types.js';
import { RecordingNode, type SentDatagram } from './recording-node.js';

const OPTIONS = { ...PROFILES.lan, probeIntervalMs: 1000, probeTimeoutMs: 500 };

/** A node that knows two others and records what it sends; time moves only when we say. */
function probingNode(): { node: RecordingNode; sent: SentDatagram[] } {
  const node = new RecordingNode(OPTIONS, {
    name: nodeName('a'),
    addr: { host: '10.0.0.1', port: 1 },
    tags: {},
    incarnation: incarnation(1),
  });
  const sent = node.sent;
  node.start(0);
  node.restore(
    [
      { name: nodeName('b'), addr: { host: '10.0.0.2', port: 1 }, incarnation: incarnation(1), status: 'alive', tags: {} },
      { name: nodeName('c'), addr: { host: '10.0.0.3', port: 1 }, incarnation: incarnation(1), status: 'alive', tags: {} },
    ],
    0,
  );
  return { node, sent };
}

/** Runs the clock until the node sends its first probe; returns it and the time. */
function firstProbe(node: RecordingNode, sent: Array<{ messages: readonly Message[] }>): { ping: Ping; atMs: number } {
  for (let t = 0; t <= 2 * OPTIONS.probeIntervalMs; t += 10) {
    node.tick(t);
    for (const datagram of sent) {
      const ping = datagram.messages.find((m): m is Ping => m.type === 'ping');
      if (ping !== undefined) return { ping, atMs: t };
    }
  }
  throw new Error('no probe sent');
}

describe('probe result counters', () => {
  it('counts an ack within the probe timeout as direct', () => {
    const { node, sent } = probingNode();
    const { ping, atMs } = firstProbe(node, sent);
    node.receive([{ type: 'ack', seq: ping.seq }], { host: '10.0.0.2', port: 1 }, atMs + 5);
    expect(node.core.stats.probesAcked).toBe(1);
    expect(node.core.stats.probesAckedIndirect).toBe(0);
    expect(node.core.stats.rttBuckets.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('counts an ack that arrives in the indirect phase as indirect', () => {
    const { node, sent } = probingNode();
    const { ping, atMs } = firstProbe(node, sent);
    node.tick(atMs + OPTIONS.probeTimeoutMs + 1);
    expect(node.core.stats.indirectProbes).toBe(1);
    expect(sent.some((d) => d.messages.some((m) => m.type === 'ping-req'))).toBe(true);
    node.receive([{ type: 'ack', seq: ping.seq }], { host: '10.0.0.3', port: 1 }, atMs + OPTIONS.probeTimeoutMs + 20);
    expect(node.core.stats.probesAcked).toBe(1);
    expect(node.core.stats.probesAckedIndirect).toBe(1);
    expect(node.core.stats.probesFailed).toBe(0);
  });
});
