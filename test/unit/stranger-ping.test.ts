import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/messages.js';
import { PROFILES } from '../../src/protocol/options.js';
import { addressKey, incarnation, nodeName, seqNo } from '../../src/protocol/types.js';
import { RecordingNode, type SentDatagram } from './recording-node.js';

// A member that missed the gossip of a join learns of the newcomer the first time the newcomer
// probes it, instead of at the next push-pull.

const GOSSIP: ReadonlySet<Message['type']> = new Set(['alive', 'suspect', 'failed', 'left']);

function node(name: string, host: string, outbox: SentDatagram[], known: readonly [string, string][]): RecordingNode {
  const addr = { host, port: 7946 };
  const n = new RecordingNode(PROFILES.lan, { name: nodeName(name), addr, tags: {}, incarnation: incarnation(1) }, outbox, name.charCodeAt(0));
  n.start(0);
  n.restore(
    known.map(([member, memberHost]) => ({
      name: nodeName(member),
      addr: { host: memberHost, port: 7946 },
      incarnation: incarnation(1),
      status: 'alive' as const,
      tags: {},
    })),
    0,
  );
  return n;
}

describe('a ping from an address no member has', () => {
  it('is answered with our digest beside the ack; a member\'s ping only with the ack', () => {
    const outbox: SentDatagram[] = [];
    const x = node('x', '10.0.0.1', outbox, [['b', '10.0.0.2']]);
    x.receive([{ type: 'ping', seq: seqNo(7), target: nodeName('x') }], { host: '10.0.0.9', port: 7946 }, 10);
    x.receive([{ type: 'ping', seq: seqNo(8), target: nodeName('x') }], { host: '10.0.0.2', port: 7946 }, 10);
    const types = (host: string): string[] => outbox.filter((d) => d.to.host === host).flatMap((d) => d.messages.map((m) => m.type));
    expect(types('10.0.0.9')).toContain('ack');
    expect(types('10.0.0.9')).toContain('sync');
    expect(types('10.0.0.2')).toContain('ack');
    expect(types('10.0.0.2')).not.toContain('sync');
  });

  it('lets a member that missed a join learn the newcomer from the newcomer\'s first probe', () => {
    const outbox: SentDatagram[] = [];
    // The newcomer knows x (from its seed's table); x never heard of the newcomer.
    const x = node('x', '10.0.0.1', outbox, [['b', '10.0.0.2']]);
    const newcomer = node('n', '10.0.0.3', outbox, [['x', '10.0.0.1'], ['b', '10.0.0.2']]);
    const byAddress = new Map([x, newcomer].map((member) => [addressKey(member.core.selfMember.addr), member]));
    expect(x.member(nodeName('n'))).toBeUndefined();
    for (let t = 0; t <= 5_000 && x.member(nodeName('n')) === undefined; t += 10) {
      newcomer.tick(t);
      x.tick(t);
      for (const datagram of outbox.splice(0)) {
        // x misses every piece of gossip about the join, and the newcomer's own anti-entropy
        // round goes elsewhere: only probes, and the answers to x's own digests, reach it.
        let messages = datagram.messages;
        if (datagram.to.host === '10.0.0.1') {
          messages = messages.filter((m) => !GOSSIP.has(m.type));
          if (messages.every((m) => m.type === 'sync')) messages = [];
        }
        if (messages.length > 0) byAddress.get(addressKey(datagram.to))?.receive(messages, datagram.from, t);
      }
    }
    expect(x.member(nodeName('n'))?.status).toBe('alive');
  });
});
