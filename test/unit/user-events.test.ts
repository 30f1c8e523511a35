import { describe, expect, it } from 'vitest';
import { messageSize, PACKET_OVERHEAD_BYTES } from '../../src/codec/index.js';
import { seededAddressCookie } from '../../src/protocol/address-validation.js';
import type { NodeEvent } from '../../src/protocol/events.js';
import { PROTOCOL_LIMITS } from '../../src/protocol/limits.js';
import type { EventClock, Message, UserEvent } from '../../src/protocol/messages.js';
import { GossipNode } from '../../src/protocol/node.js';
import { PROFILES } from '../../src/protocol/options.js';
import { seededRandom } from '../../src/protocol/random.js';
import { incarnation, nodeName } from '../../src/protocol/types.js';

const lan = PROFILES.lan;
const FROM = { host: '10.0.0.2', port: 7946 };

function node(): GossipNode {
  const core = new GossipNode(
    lan,
    { name: nodeName('me'), addr: { host: '10.0.0.1', port: 7946 }, tags: {}, incarnation: incarnation(100) },
    { random: seededRandom(1), addressCookie: seededAddressCookie(1), messageSize, packetOverheadBytes: PACKET_OVERHEAD_BYTES },
  );
  core.start(0);
  return core;
}

function event(seq: number, overrides: Partial<UserEvent> = {}): UserEvent {
  return { type: 'user-event', origin: nodeName('peer'), epoch: 7, seq, ltime: seq, name: 'e', payload: `p${seq}`, coalesce: false, ...overrides };
}

function delivered(events: readonly NodeEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'user-event' ? [e.payload] : []));
}

describe('user events in the core', () => {
  it('holds events that arrive ahead of a missing one and delivers them in order once it comes', () => {
    const core = node();
    expect(delivered(core.receive([event(2), event(3)], FROM, 10).events)).toEqual([]);
    expect(delivered(core.receive([event(1)], FROM, 20).events)).toEqual(['p1', 'p2', 'p3']);
    // Copies are recognised and not delivered again.
    expect(delivered(core.receive([event(2), event(1)], FROM, 30).events)).toEqual([]);
    expect(core.userEventStats).toMatchObject({ delivered: 3, duplicates: 2, skipped: 0 });
  });

  it('gives up a missing event after the hold time and delivers what came after it', () => {
    const core = node();
    core.receive([event(1)], FROM, 0);
    expect(delivered(core.receive([event(3)], FROM, 10).events)).toEqual([]);
    const holdMs = lan.gossipIntervalMs * PROTOCOL_LIMITS.userEventHoldGossipIntervals;
    expect(delivered(core.tick(10 + holdMs - 1).events)).toEqual([]);
    expect(delivered(core.tick(10 + holdMs).events)).toEqual(['p3']);
    // The late one is now too old.
    expect(delivered(core.receive([event(2)], FROM, 20 + holdMs).events)).toEqual([]);
    expect(core.userEventStats.skipped).toBe(1);
  });

  it(`holds at most ${PROTOCOL_LIMITS.maxHeldUserEventsPerOrigin} events per origin: one more skips the gap at once`, () => {
    const core = node();
    const max = PROTOCOL_LIMITS.maxHeldUserEventsPerOrigin;
    const ahead = Array.from({ length: max }, (_, i) => event(i + 2));
    expect(delivered(core.receive(ahead, FROM, 0).events)).toEqual([]);
    const out = delivered(core.receive([event(max + 2)], FROM, 1).events);
    expect(out).toEqual(Array.from({ length: max + 1 }, (_, i) => `p${i + 2}`));
  });

  it('starts again for a new life (epoch) of an origin, and ignores its old life', () => {
    const core = node();
    core.receive([event(1), event(2)], FROM, 0);
    expect(delivered(core.receive([event(1, { epoch: 8, payload: 'new life' })], FROM, 1).events)).toEqual(['new life']);
    expect(delivered(core.receive([event(3)], FROM, 2).events)).toEqual([]);
  });

  it('delivers a coalescing event only when newer than the last of its name, whatever the order', () => {
    const core = node();
    const c = (ltime: number): UserEvent => event(0, { coalesce: true, ltime, payload: `c${ltime}` });
    expect(delivered(core.receive([c(5)], FROM, 0).events)).toEqual(['c5']);
    expect(delivered(core.receive([c(3), c(5)], FROM, 1).events)).toEqual([]);
    expect(delivered(core.receive([c(9)], FROM, 2).events)).toEqual(['c9']);
  });

  it('sends its own events to itself at once, with a growing Lamport time above what it heard', () => {
    const core = node();
    core.receive([event(1, { ltime: 41 })], FROM, 0);
    const sent = core.sendUserEvent('deploy', 'v1', false, 1);
    expect(sent.sent.ltime).toBe(42);
    expect(sent.sent.id).toBe('me/100/1');
    expect(delivered(sent.events)).toEqual(['v1']);
    expect(core.sendUserEvent('deploy', 'v2', false, 2).sent).toEqual({ id: 'me/100/2', ltime: 43 });
  });

  it(`queues at most ${PROTOCOL_LIMITS.maxQueuedUserEvents} events for gossip`, () => {
    const core = node();
    for (let i = 0; i < PROTOCOL_LIMITS.maxQueuedUserEvents + 50; i++) core.sendUserEvent('flood', String(i), false, i);
    expect(core.eventQueueDepth).toBe(PROTOCOL_LIMITS.maxQueuedUserEvents);
  });

  it(`remembers at most ${PROTOCOL_LIMITS.maxUserEventOrigins} origins`, () => {
    const core = node();
    const many = Array.from({ length: PROTOCOL_LIMITS.maxUserEventOrigins + 10 }, (_, i) => event(1, { origin: nodeName(`o${i}`) }));
    for (let i = 0; i < many.length; i += 200) core.receive(many.slice(i, i + 200), FROM, i);
    expect(core.userEventStats.delivered).toBe(many.length);
    // o0 was forgotten as an origin, but its event is still remembered as seen: a copy is not delivered again.
    expect(delivered(core.receive([event(1, { origin: nodeName('o0') })], FROM, 10_000).events)).toEqual([]);
  });
});

describe('where a joiner\'s event history starts', () => {
  const SEED = { host: '10.0.0.9', port: 7946 };
  const joinSync = (cookie?: number): Message => ({ type: 'sync', digest: 1, members: 1, join: true, nonce: 5, ...(cookie === undefined ? {} : { cookie }) });

  it('the seed sends its clock in the datagram of the challenge, and not beside the answer to the second sync', () => {
    const seed = node();
    seed.sendUserEvent('deploy', 'v1', false, 0);
    const first = seed.receive([joinSync()], FROM, 10).datagrams.filter((d) => d.to.host === FROM.host);
    expect(first.map((d) => d.messages.map((m) => m.type))).toEqual([['event-clock', 'challenge']]);
    const challenge = first[0]?.messages[1];
    if (challenge?.type !== 'challenge') throw new Error('no challenge');
    const second = seed.receive([joinSync(challenge.cookie)], FROM, 20).datagrams;
    expect(second.length).toBeGreaterThan(0);
    expect(second.flatMap((d) => d.messages).some((m) => m.type === 'event-clock')).toBe(false);
  });

  it('the joiner skips events older than a clock that came first, but not once the cluster reached it before the clock', () => {
    const clock: EventClock = { type: 'event-clock', ltime: 5 };
    const challenge: Message = { type: 'challenge', nonce: 1, cookie: 9, members: 3 };
    const prompt = node();
    prompt.join([SEED], 0);
    expect(delivered(prompt.receive([clock, challenge], SEED, 10).events)).toEqual([]);
    expect(delivered(prompt.receive([event(1, { ltime: 3 })], FROM, 20).events)).toEqual([]);
    expect(prompt.userEventStats.skipped).toBe(1);

    const late = node();
    late.join([SEED], 0);
    // Gossip reached us first (our join sync was lost; we joined through another member's round).
    late.receive([{ type: 'alive', name: nodeName('peer'), incarnation: incarnation(1), addr: FROM, tags: {} }], FROM, 10);
    expect(delivered(late.receive([clock, challenge], SEED, 20).events)).toEqual([]);
    expect(delivered(late.receive([event(1, { ltime: 3 })], FROM, 30).events)).toEqual(['p1']);
  });
});

