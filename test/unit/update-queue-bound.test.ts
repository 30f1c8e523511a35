import { describe, expect, it } from 'vitest';
import { messageSize, PACKET_OVERHEAD_BYTES } from '../../src/codec/index.js';
import { seededAddressCookie } from '../../src/protocol/address-validation.js';
import { PROTOCOL_LIMITS } from '../../src/protocol/limits.js';
import type { Alive, Message } from '../../src/protocol/messages.js';
import { GossipNode } from '../../src/protocol/node.js';
import { PROFILES } from '../../src/protocol/options.js';
import { seededRandom } from '../../src/protocol/random.js';
import { incarnation, nodeName } from '../../src/protocol/types.js';

const SELF = { host: '10.0.0.1', port: 7946 };
const FROM = { host: '10.0.0.2', port: 7946 };

function node(): GossipNode {
  const core = new GossipNode(
    PROFILES.lan,
    { name: nodeName('me'), addr: SELF, tags: {}, incarnation: incarnation(100) },
    { random: seededRandom(1), addressCookie: seededAddressCookie(1), messageSize, packetOverheadBytes: PACKET_OVERHEAD_BYTES },
  );
  core.start(0);
  return core;
}

function alive(i: number): Alive {
  return { type: 'alive', name: nodeName(`m${i}`), incarnation: incarnation(1), addr: { host: '10.0.1.1', port: 8000 + i }, tags: {} };
}

/** `count` members' alives, 40 to a datagram, as a join storm brings them. */
function learn(core: GossipNode, from: number, count: number): void {
  for (let i = from; i < from + count; i += 40) {
    const batch: Message[] = [];
    for (let j = i; j < Math.min(from + count, i + 40); j++) batch.push(alive(j));
    core.receive(batch, FROM, 1);
  }
}

describe('the membership update queue', () => {
  it(`holds at most ${PROTOCOL_LIMITS.maxQueuedUpdates} updates and counts what it dropped (the members all stay in the table)`, () => {
    const core = node();
    // Our own alive from the start is queued too.
    const room = PROTOCOL_LIMITS.maxQueuedUpdates - core.queueDepth;
    learn(core, 0, room);
    expect(core.queueDepth).toBe(PROTOCOL_LIMITS.maxQueuedUpdates);
    expect(core.updatesDropped).toBe(0);
    // Some go out first, so that some are more sent than others when the queue overflows.
    const sent = core.tick(60_000).datagrams.flatMap((d) => d.messages.filter((m): m is Alive => m.type === 'alive').map((m) => m.name));
    expect(sent.length).toBeGreaterThan(0);
    learn(core, room, 50);
    expect(core.queueDepth).toBe(PROTOCOL_LIMITS.maxQueuedUpdates);
    expect(core.updatesDropped).toBe(50);
    // Every member is still in the table: only the gossip about them was dropped.
    expect(core.members().length).toBe(room + 50 + 1);
  });

  it('never drops our own refutation', () => {
    const core = node();
    learn(core, 0, PROTOCOL_LIMITS.maxQueuedUpdates);
    core.receive([{ type: 'suspect', name: nodeName('me'), incarnation: incarnation(100), from: nodeName('m1') }], FROM, 2);
    learn(core, PROTOCOL_LIMITS.maxQueuedUpdates, 2 * PROTOCOL_LIMITS.maxQueuedUpdates);
    const out = core.tick(60_000).datagrams.flatMap((d) => d.messages);
    expect(out.some((m) => m.type === 'alive' && m.name === 'me' && m.incarnation > 100)).toBe(true);
  });

  it(`counts a join heard again as one of our transmissions only while more than ${PROTOCOL_LIMITS.updateBacklog} updates wait`, () => {
    // A join storm: peers keep sending us the joins we queued, long after everyone has them.
    const busy = node();
    learn(busy, 0, 2 * PROTOCOL_LIMITS.updateBacklog);
    const queued = busy.queueDepth;
    expect(queued).toBe(2 * PROTOCOL_LIMITS.updateBacklog + 1);
    learn(busy, 0, 2 * PROTOCOL_LIMITS.updateBacklog);
    expect(busy.queueDepth, 'nothing sent yet: one echo each does not retire them').toBe(queued);
    // λ log n = 12 echoes (n = 257) retire them until the queue is back at the backlog.
    for (let i = 0; i < 12; i++) learn(busy, 0, 2 * PROTOCOL_LIMITS.updateBacklog);
    expect(busy.queueDepth).toBe(PROTOCOL_LIMITS.updateBacklog);
    // A short queue sends every update its full λ log n times, echoes or not.
    const quiet = node();
    learn(quiet, 0, 50);
    for (let i = 0; i < 20; i++) learn(quiet, 0, 50);
    expect(quiet.queueDepth).toBe(51);
  });

  it('never counts echoes of a refutation it relays, however long its queue', () => {
    const core = node();
    learn(core, 0, 2 * PROTOCOL_LIMITS.updateBacklog);
    // m0 refutes a suspicion: a newer incarnation of a member we hold.
    const refutation: Alive = { ...alive(0), incarnation: incarnation(2) };
    core.receive([refutation], FROM, 2);
    for (let i = 0; i < 30; i++) core.receive([refutation], FROM, 3);
    // Only sending retires it: the first gossip rounds carry it (least sent first).
    const out = core.tick(60_000).datagrams.flatMap((d) => d.messages);
    expect(out.some((m) => m.type === 'alive' && m.name === 'm0' && m.incarnation === 2)).toBe(true);
  });
});
