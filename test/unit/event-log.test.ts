import { describe, expect, it } from 'vitest';
import { EventLog, type FeedItem } from '../../src/agent/event-log.js';
import { changeType, membershipEventOf, type EventBody } from '../../src/agent/membership-event.js';
import { incarnation, nodeName, type MemberStatus } from '../../src/protocol/types.js';

const START = 1_000_000;

function log(capacity = 4): EventLog {
  return new EventLog({
    capacity,
    startIndex: START,
    wallClockMs: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    onListenerError: (error) => {
      throw error;
    },
  });
}

function failed(member: string): EventBody {
  return { type: 'member-failed', member, addr: '10.0.0.2:7946', status: 'failed', previous: 'suspect', incarnation: 7, by: 'n1', tags: {} };
}

function collect(feed: EventLog, after: number | null): FeedItem[] {
  const items: FeedItem[] = [];
  feed.subscribe(after, { onItem: (item) => items.push(item), onEnd: () => undefined });
  return items;
}

function ids(items: readonly FeedItem[]): (number | string)[] {
  return items.map((item) => (item.kind === 'event' ? item.event.id : `gap:${item.gap.lost ?? 'unknown'}`));
}

describe('changeType: what a status change is called', () => {
  it.each<[MemberStatus | null, MemberStatus, string]>([
    [null, 'alive', 'member-join'],
    ['left', 'alive', 'member-join'],
    ['suspect', 'alive', 'member-alive'],
    ['failed', 'alive', 'member-alive'],
    ['alive', 'suspect', 'member-suspect'],
    ['suspect', 'failed', 'member-failed'],
    ['alive', 'failed', 'member-failed'],
    ['alive', 'left', 'member-leave'],
    ['alive', 'alive', 'member-update'],
  ])('%s → %s is %s', (previous, status, type) => {
    expect(changeType(previous, status)).toBe(type);
  });

  it('keeps who declared a member failed, and ignores bookkeeping events', () => {
    const member = {
      name: nodeName('n2'),
      addr: { host: '10.0.0.2', port: 7946 },
      incarnation: incarnation(3),
      status: 'failed' as const,
      tags: { role: 'db' },
      sinceMs: 0,
      statusFrom: nodeName('n1'),
    };
    expect(membershipEventOf({ type: 'member-changed', member, previous: 'suspect' }, 'n1')).toEqual({
      type: 'member-failed',
      member: 'n2',
      addr: '10.0.0.2:7946',
      status: 'failed',
      previous: 'suspect',
      incarnation: 3,
      by: 'n1',
      tags: { role: 'db' },
    });
    expect(membershipEventOf({ type: 'refuted', accusation: 'suspect', incarnation: incarnation(9) }, 'me')).toEqual({
      type: 'refute',
      member: 'me',
      accusation: 'suspect',
      incarnation: 9,
    });
    expect(membershipEventOf({ type: 'leave-finished', spread: true }, 'me')).toBeNull();
  });
});

describe('EventLog', () => {
  it('stamps events with increasing ids from its start index and the wall-clock time', () => {
    const feed = log();
    expect(feed.index()).toBe(START);
    const first = feed.append(failed('a'));
    const second = feed.append(failed('b'));
    expect([first.id, second.id]).toEqual([START + 1, START + 2]);
    expect(first.time).toBe('2026-01-02T03:04:05.000Z');
    expect(feed.index()).toBe(START + 2);
  });

  it('delivers live events to subscribers, and replays after a Last-Event-ID', () => {
    const feed = log();
    const live = collect(feed, null);
    for (const name of ['a', 'b', 'c']) feed.append(failed(name));
    expect(ids(live)).toEqual([START + 1, START + 2, START + 3]);
    expect(ids(collect(feed, START + 1))).toEqual([START + 2, START + 3]);
    expect(ids(collect(feed, START + 3))).toEqual([]);
    expect(ids(collect(feed, START))).toEqual([START + 1, START + 2, START + 3]);
  });

  it('reports how many events were lost when the id is older than the buffer', () => {
    const feed = log(4);
    for (let i = 0; i < 10; i++) feed.append(failed(`m${i}`));
    const items = collect(feed, START + 2);
    expect(ids(items)).toEqual(['gap:4', START + 7, START + 8, START + 9, START + 10]);
    expect(items[0]).toEqual({ kind: 'gap', gap: { type: 'gap', lastEventId: START + 2, firstId: START + 7, lost: 4 } });
  });

  it('says the loss is unknown for an id of another run, and replays all it has', () => {
    const feed = log(4);
    feed.append(failed('a'));
    expect(ids(collect(feed, 5))).toEqual(['gap:unknown', START + 1]);
    expect(ids(collect(feed, START + 99))).toEqual(['gap:unknown', START + 1]);
  });

  it('answers a blocking wait at once when the index moved, on the next event, or at the timeout', async () => {
    const feed = log();
    feed.append(failed('a'));
    expect(await feed.waitForChange(START, 10_000)).toBe(START + 1);
    const waiting = feed.waitForChange(START + 1, 10_000);
    setTimeout(() => feed.append(failed('b')), 20);
    expect(await waiting).toBe(START + 2);
    const startedMs = Date.now();
    expect(await feed.waitForChange(START + 2, 50)).toBe(START + 2);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(40);
  });

  it('stops waiting when the client goes away or the log closes, and ends subscriptions', async () => {
    const feed = log();
    const hangUp = new AbortController();
    const aborted = feed.waitForChange(START, 60_000, hangUp.signal);
    hangUp.abort();
    expect(await aborted).toBe(START);
    const closing = feed.waitForChange(START, 60_000);
    let ended = false;
    feed.subscribe(null, { onItem: () => undefined, onEnd: () => (ended = true) });
    feed.close();
    expect(await closing).toBe(START);
    expect(ended).toBe(true);
  });

  it('keeps a throwing listener from reaching the caller of append', () => {
    const errors: unknown[] = [];
    const feed = new EventLog({ capacity: 2, startIndex: 0, wallClockMs: () => 0, onListenerError: (error) => errors.push(error) });
    feed.subscribe(null, {
      onItem: () => {
        throw new Error('boom');
      },
      onEnd: () => undefined,
    });
    expect(() => feed.append(failed('a'))).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
