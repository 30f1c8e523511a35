import { describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import type { MemberState, Message } from '../../src/protocol/messages.js';
import { PROFILES } from '../../src/protocol/options.js';
import { addressKey, incarnation, nodeName, seqNo, type Address } from '../../src/protocol/types.js';
import { RecordingNode, type SentDatagram } from './recording-node.js';

// Issue 13, UDP amplification: a datagram with a forged source (the victim's address) must not
// make a member send the victim more than 3× its bytes (QUIC's rule, RFC 9000 §8.1). Before the
// fix a join `sync` got the whole table: with 10 members carrying 400-byte tags, ~100× per datagram.

const codec = createCodec({ cluster: 'amplification' });
const bytesOf = (messages: readonly Message[]): number => codec.encode(messages).length;
const SELF: Address = { host: '10.0.0.1', port: 7946 };
const BIG_TAGS = { blob: 'v'.repeat(390) };

function memberWithTable(outbox: SentDatagram[], members: number): RecordingNode {
  const node = new RecordingNode(PROFILES.lan, { name: nodeName('x'), addr: SELF, tags: BIG_TAGS, incarnation: incarnation(1) }, outbox, 7);
  node.start(0);
  const table: MemberState[] = Array.from({ length: members - 1 }, (_, i) => ({
    name: nodeName(`m${i}`),
    addr: { host: `10.0.1.${i + 1}`, port: 7946 },
    incarnation: incarnation(1),
    status: 'alive',
    tags: BIG_TAGS,
  }));
  node.restore(table, 0);
  return node;
}

/** Replays `messages` from `ports` forged source ports of one victim host; bytes in and bytes sent back to them. */
function replay(node: RecordingNode, outbox: SentDatagram[], messages: readonly Message[], ports: number): { inBytes: number; outBytes: number } {
  outbox.length = 0;
  const victims = new Set<string>();
  for (let i = 0; i < ports; i++) {
    const from = { host: '192.0.2.66', port: 20_000 + i };
    victims.add(addressKey(from));
    node.receive(messages, from, 1_000 + i);
  }
  const outBytes = outbox.filter((d) => victims.has(addressKey(d.to))).reduce((sum, d) => sum + bytesOf(d.messages), 0);
  return { inBytes: ports * bytesOf(messages), outBytes };
}

describe('replies to an address that has not proved it receives our datagrams', () => {
  it('a join sync replayed from 100 forged source ports gets at most 3× its bytes back', () => {
    const outbox: SentDatagram[] = [];
    const node = memberWithTable(outbox, 10);
    const join: Message[] = [{ type: 'sync', digest: 0x1234_5678, members: 1, join: true, nonce: 1 }];
    const { inBytes, outBytes } = replay(node, outbox, join, 100);
    expect(outBytes).toBeGreaterThan(0); // each one is challenged
    expect(outBytes).toBeLessThanOrEqual(3 * inBytes);
    expect(outbox.flatMap((d) => d.messages.map((m) => m.type))).not.toContain('state');
  });

  it('a differing sync, and a sync with a forged cookie, get no table or buckets either', () => {
    const outbox: SentDatagram[] = [];
    const node = memberWithTable(outbox, 10);
    for (const sync of [
      { type: 'sync', digest: 1, members: 500, join: false, nonce: 2 },
      { type: 'sync', digest: 1, members: 500, join: true, nonce: 2, cookie: 0xdead_beef },
    ] as const) {
      const { inBytes, outBytes } = replay(node, outbox, [sync], 50);
      expect(outBytes).toBeLessThanOrEqual(3 * inBytes);
      expect(outbox.flatMap((d) => d.messages.map((m) => m.type)).filter((t) => t === 'state' || t === 'buckets')).toEqual([]);
    }
  });

  it('a pull without our cookie, and buckets or a challenge we never asked for, get nothing at all', () => {
    const outbox: SentDatagram[] = [];
    const node = memberWithTable(outbox, 10);
    const forged: Message[][] = [
      [{ type: 'pull', cookie: 42, bucketCount: 2, indices: [0, 1] }],
      [{ type: 'buckets', nonce: 9, sums: [1, 2] }],
      [{ type: 'challenge', nonce: 9, cookie: 3, members: 5 }],
    ];
    for (const messages of forged) expect(replay(node, outbox, messages, 20).outBytes).toBe(0);
  });

  it('an ack to a stranger\'s ping carries no more piggybacked gossip than 3× the ping', () => {
    const outbox: SentDatagram[] = [];
    const node = memberWithTable(outbox, 10);
    // A tag change queues our own 420-byte alive: a member's ack would carry it, a stranger's cannot.
    node.core.setTags({ blob: 'w'.repeat(390) }, 500);
    const ping: Message[] = [{ type: 'ping', seq: seqNo(1), target: nodeName('x') }];
    const { inBytes, outBytes } = replay(node, outbox, ping, 30);
    expect(outbox.filter((d) => d.messages.some((m) => m.type === 'ack')).length).toBe(30);
    expect(outBytes).toBeLessThanOrEqual(3 * inBytes);
  });
});

describe('a real joiner proves its address with one extra round trip', () => {
  it('is challenged, echoes the cookie and then gets the whole table; members keep their cookies', () => {
    const outbox: SentDatagram[] = [];
    const seed = memberWithTable(outbox, 10);
    const joinerAddr = { host: '10.0.0.50', port: 7946 };
    const joiner = new RecordingNode(PROFILES.lan, { name: nodeName('j'), addr: joinerAddr, tags: {}, incarnation: incarnation(1) }, outbox, 9);
    joiner.start(0);
    joiner.join([SELF], 10);
    const types: string[][] = [];
    for (let t = 10; t < 200; t += 5) {
      for (const datagram of outbox.splice(0)) {
        const to = addressKey(datagram.to) === addressKey(SELF) ? seed : addressKey(datagram.to) === addressKey(joinerAddr) ? joiner : undefined;
        if (to === undefined) continue;
        types.push(datagram.messages.map((m) => m.type));
        to.receive(datagram.messages, datagram.from, t);
      }
    }
    expect(types[0]?.[0]).toBe('sync');
    expect(types[1]).toEqual(['challenge']);
    expect(types[2]?.[0]).toBe('sync');
    expect(types.some((list) => list.includes('state'))).toBe(true);
    for (let i = 0; i < 9; i++) expect(joiner.member(nodeName(`m${i}`))?.status).toBe('alive');
  });
});
