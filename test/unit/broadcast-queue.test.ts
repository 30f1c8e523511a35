import { describe, expect, it } from 'vitest';
import { BroadcastQueue, retransmitLimit, userEventTransmitLimit } from '../../src/protocol/broadcast-queue.js';
import type { UpdateMessage } from '../../src/protocol/messages.js';
import { incarnation, nodeName } from '../../src/protocol/types.js';

const alive = (name: string, at = 1): UpdateMessage => ({
  type: 'alive',
  name: nodeName(name),
  incarnation: incarnation(at),
  addr: { host: '127.0.0.1', port: 7946 },
  tags: {},
});

const UNBOUNDED = Number.POSITIVE_INFINITY;

describe('transmit-limited broadcast queue', () => {
  it('retransmit limit is retransmitMult × ceil(log10(n + 1))', () => {
    expect(retransmitLimit(4, 1)).toBe(4);
    expect(retransmitLimit(4, 9)).toBe(4);
    expect(retransmitLimit(4, 10)).toBe(8);
    expect(retransmitLimit(4, 100)).toBe(12);
    expect(retransmitLimit(4, 1000)).toBe(16);
    expect(retransmitLimit(2, 5)).toBe(2);
  });

  it('a user event is sent enough times to reach all n members but 1 in 10⁴ at 10 % loss, or λ log n if more', () => {
    // (ln n + ln 10⁴) / 0.9, rounded up.
    expect([4, 50, 1000, 10_000].map((n) => userEventTransmitLimit(2, n))).toEqual([12, 15, 18, 21]);
    expect(userEventTransmitLimit(4, 50)).toBe(15);
    expect(userEventTransmitLimit(8, 1000)).toBe(retransmitLimit(8, 1000));
    // A member alone still has a limit (it gossips to the recently failed).
    expect(userEventTransmitLimit(4, 1)).toBe(12);
  });

  it('sends each update exactly `limit` times, then drops it', () => {
    const queue = new BroadcastQueue(UNBOUNDED);
    queue.enqueue(alive('a'), 20);
    const sent = [1, 2, 3, 4, 5].map(() => queue.take(1000, 3).length);
    expect(sent).toEqual([1, 1, 1, 0, 0]);
    expect(queue.size).toBe(0);
  });

  it('sends the least-sent first', () => {
    const queue = new BroadcastQueue(UNBOUNDED);
    queue.enqueue(alive('old'), 20);
    queue.take(1000, 10);
    queue.take(1000, 10);
    queue.enqueue(alive('new'), 20);
    expect(queue.take(25, 10).map((m) => m.name)).toEqual(['new']);
  });

  it('puts priority updates (leave, refutation) first', () => {
    const queue = new BroadcastQueue(UNBOUNDED);
    queue.enqueue(alive('x'), 20);
    queue.enqueue({ type: 'left', name: nodeName('me'), incarnation: incarnation(3) }, 20, true);
    expect(queue.take(25, 10).map((m) => m.name)).toEqual(['me']);
  });

  it('beyond its size drops the most-sent update first, never a priority one, and counts what it dropped', () => {
    const queue = new BroadcastQueue(3);
    queue.enqueue({ type: 'left', name: nodeName('me'), incarnation: incarnation(3) }, 20, true);
    queue.enqueue(alive('twice'), 20);
    queue.take(45, 10);
    queue.take(45, 10);
    queue.enqueue(alive('once'), 20);
    queue.take(45, 10);
    queue.enqueue(alive('new1'), 20);
    expect([queue.has('twice'), queue.has('once'), queue.has('new1')]).toEqual([false, true, true]);
    queue.enqueue(alive('new2'), 20);
    expect([queue.has('once'), queue.has('new1'), queue.has('new2')]).toEqual([false, true, true]);
    // Only never-sent updates are left besides the priority one: the oldest of them goes.
    queue.enqueue(alive('new3'), 20);
    expect([queue.has('me'), queue.has('new1'), queue.has('new2'), queue.has('new3')]).toEqual([true, false, true, true]);
    expect([queue.size, queue.dropped]).toEqual([3, 3]);
  });

  it('counts a copy a peer sent us as one of our transmissions, for updates queued to count echoes, and sends it after those sent less', () => {
    const queue = new BroadcastQueue(UNBOUNDED);
    queue.enqueue(alive('a'), 20, false, 0);
    queue.enqueue(alive('b'), 20, false, 1);
    queue.heardAgain(0, alive('a'), 3);
    // Room for one: b (sent 0 times) goes before a (heard once).
    expect(queue.take(25, 3).map((m) => m.name)).toEqual(['b']);
    queue.heardAgain(0, alive('a'), 3);
    // Heard twice, so behind b (sent once); with this last send a has had its three transmissions.
    expect(queue.take(1000, 3).map((m) => m.name)).toEqual(['b', 'a']);
    expect(queue.has('a')).toBe(false);
    // Not an echo: another incarnation than the one queued, or another member at the slot (a
    // slot freed and taken again). Never counted: an update queued without a slot (a
    // refutation relayed), or a priority one (our own).
    queue.enqueue(alive('c', 2), 20, false, 2);
    queue.enqueue(alive('d', 5), 20);
    queue.enqueue({ type: 'left', name: nodeName('me'), incarnation: incarnation(3) }, 20, true, 3);
    for (let i = 0; i < 5; i++) {
      queue.heardAgain(2, alive('c', 1), 3);
      queue.heardAgain(2, alive('e', 2), 3);
      queue.heardAgain(3, { type: 'left', name: nodeName('me'), incarnation: incarnation(3) }, 3);
    }
    expect(queue.take(1000, 3).map((m) => m.name)).toEqual(['me', 'c', 'd', 'b']);
    // A removed item is no longer found by its old slot (its member queued again under another).
    queue.enqueue(alive('f'), 20, false, 4);
    queue.remove('f');
    queue.enqueue(alive('f'), 20, false, 5);
    queue.heardAgain(4, alive('f'), 1);
    expect(queue.has('f')).toBe(true);
  });

  it('a newer update about a member supersedes the queued one', () => {
    const queue = new BroadcastQueue(UNBOUNDED);
    queue.enqueue(alive('a', 1), 20);
    queue.enqueue({ type: 'suspect', name: nodeName('a'), incarnation: incarnation(1), from: nodeName('b') }, 20);
    expect(queue.size).toBe(1);
    expect(queue.take(1000, 10)).toEqual([{ type: 'suspect', name: 'a', incarnation: 1, from: 'b' }]);
  });

  it('never exceeds the byte budget and skips what does not fit', () => {
    const queue = new BroadcastQueue(UNBOUNDED);
    queue.enqueue(alive('big'), 900);
    queue.enqueue(alive('small'), 50);
    const taken = queue.take(100, 10);
    expect(taken.map((m) => m.name)).toEqual(['small']);
    expect(queue.take(5, 10)).toEqual([]);
  });
});
