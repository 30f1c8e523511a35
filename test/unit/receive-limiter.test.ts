import { describe, expect, it } from 'vitest';
import { DEFAULT_RECEIVE_LIMITS, probeReplies, ReceiveLimiter } from '../../src/agent/receive-limiter.js';
import type { Message } from '../../src/protocol/messages.js';
import { incarnation, nodeName, seqNo } from '../../src/protocol/types.js';

function admitted(limiter: ReceiveLimiter, source: string, count: number, nowMs: number, member = false): number {
  let n = 0;
  for (let i = 0; i < count; i++) if (limiter.admit(source, nowMs, member)) n++;
  return n;
}

describe('ReceiveLimiter', () => {
  const limits = { perSourceRatePerSec: 100, perSourceBurst: 50, strangersRatePerSec: 1000, strangersBurst: 1000, maxSources: 4, idleMs: 10_000 };

  it('lets a source burst, then holds it to its rate', () => {
    const limiter = new ReceiveLimiter(limits, 0);
    expect(admitted(limiter, 'a:1', 80, 0)).toBe(50);
    expect(admitted(limiter, 'a:1', 80, 100)).toBe(10); // 100 ms at 100/s
    expect(admitted(limiter, 'a:1', 80, 10_100)).toBe(50); // refilled to the burst, no more
  });

  it('keeps sources apart: one flooding source does not use up another one', () => {
    const limiter = new ReceiveLimiter(limits, 0);
    expect(admitted(limiter, 'flood:1', 10_000, 0)).toBe(50);
    expect(admitted(limiter, 'peer:2', 10, 0, true)).toBe(10);
  });

  it('holds all strangers together to one budget, and exempts members from it', () => {
    const limiter = new ReceiveLimiter({ ...limits, maxSources: 1000, strangersBurst: 100, strangersRatePerSec: 10 }, 0);
    let strangers = 0;
    for (let port = 0; port < 500; port++) strangers += admitted(limiter, `10.0.0.1:${port}`, 1, 0);
    expect(strangers).toBe(100);
    expect(admitted(limiter, 'peer:1', 20, 0, true)).toBe(20);
    expect(admitted(limiter, 'new:1', 1, 0)).toBe(0);
  });

  it('tracks at most maxSources strangers, and forgets idle ones', () => {
    const limiter = new ReceiveLimiter(limits, 0);
    for (let port = 0; port < 100; port++) limiter.admit(`s:${port}`, 0, false);
    expect(limiter.trackedSources).toBe(limits.maxSources);
    limiter.admit('member:1', 0, true); // members are always tracked
    expect(limiter.trackedSources).toBe(limits.maxSources + 1);
    limiter.admit('s:0', 20_000, false);
    expect(limiter.trackedSources).toBe(1);
  });

  it('gives a member over its budget a small lane for probe answers, and strangers none', () => {
    const limiter = new ReceiveLimiter({ ...limits, probeRepliesPerSec: 10 }, 0);
    expect(admitted(limiter, 'peer:1', 100, 0, true)).toBe(50);
    let lane = 0;
    for (let i = 0; i < 100; i++) if (limiter.admitProbeReplies('peer:1', 0, true)) lane++;
    expect(lane).toBe(10);
    expect(admitted(limiter, 'flood:1', 100, 0)).toBe(50);
    expect(limiter.admitProbeReplies('flood:1', 0, false)).toBe(false);
  });

  it('has defaults that fit a legitimate full-state burst from one peer', () => {
    expect(DEFAULT_RECEIVE_LIMITS.perSourceBurst).toBeGreaterThanOrEqual(500);
    const limiter = new ReceiveLimiter({}, 0);
    expect(admitted(limiter, 'seed:7946', 500, 0)).toBe(500);
  });
});

describe('probeReplies', () => {
  it('keeps only acks and nacks: the answers to our own probes', () => {
    const messages: Message[] = [
      { type: 'ping', seq: seqNo(1), target: nodeName('x') },
      { type: 'ack', seq: seqNo(2) },
      { type: 'alive', name: nodeName('y'), incarnation: incarnation(1), addr: { host: '10.0.0.1', port: 1 }, tags: {} },
      { type: 'nack', seq: seqNo(3) },
      { type: 'sync', digest: 1, members: 1, join: true },
    ];
    expect(probeReplies(messages).map((m) => m.type)).toEqual(['ack', 'nack']);
  });
});
