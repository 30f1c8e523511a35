import { describe, expect, it } from 'vitest';
import { TimerQueue, type TimerKind } from '../../src/protocol/timers.js';

function drain(timers: TimerQueue, nowMs: number): TimerKind[] {
  const fired: TimerKind[] = [];
  for (let due = timers.popDue(nowMs); due !== undefined; due = timers.popDue(nowMs)) fired.push(due.kind);
  return fired;
}

describe('the core timer queue', () => {
  it('fires timers due at the same moment in the order they were set, whatever else was set', () => {
    const timers = new TimerQueue();
    timers.set('probe', '', 10);
    timers.set('gossip', '', 10);
    timers.set('reap', '', 10);
    expect(drain(timers, 10)).toEqual(['probe', 'gossip', 'reap']);

    // Superseded settings in between change the heap's layout, not the order.
    timers.set('probe', '', 20);
    for (let i = 0; i < 50; i++) timers.set('sync', '', 15 + i / 10);
    timers.set('gossip', '', 20);
    timers.set('sync', '', 20);
    timers.set('reap', '', 20);
    expect(drain(timers, 20)).toEqual(['probe', 'gossip', 'sync', 'reap']);
  });

  it('a moved timer fires once, at its new time; a cancelled one never', () => {
    const timers = new TimerQueue();
    timers.set('probe', '', 10);
    timers.set('probe', '', 30);
    timers.set('gossip', '', 20);
    timers.cancel('gossip', '');
    expect(timers.nextDeadlineMs()).toBe(30);
    expect(drain(timers, 25)).toEqual([]);
    expect(timers.deadlineOf('probe', '')).toBe(30);
    expect(drain(timers, 30)).toEqual(['probe']);
    expect([timers.isSet('probe', ''), timers.nextDeadlineMs()]).toEqual([false, Infinity]);
  });

  it('a timer set again after it fired or was cancelled fires again', () => {
    const timers = new TimerQueue();
    timers.set('sync', '', 5);
    expect(drain(timers, 5)).toEqual(['sync']);
    timers.set('sync', '', 8);
    timers.cancel('sync', '');
    timers.set('sync', '', 9);
    expect(drain(timers, 9)).toEqual(['sync']);
  });
});
