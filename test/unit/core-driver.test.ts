import { describe, expect, it } from 'vitest';
import { CoreDriver } from '../../src/agent/core-driver.js';
import { messageSize } from '../../src/codec/index.js';
import type { NodeEvent } from '../../src/protocol/events.js';
import type { Message } from '../../src/protocol/messages.js';
import { seededAddressCookie } from '../../src/protocol/address-validation.js';
import { GossipNode } from '../../src/protocol/node.js';
import { PROFILES } from '../../src/protocol/options.js';
import { seededRandom } from '../../src/protocol/random.js';
import { incarnation, nodeName, type Address } from '../../src/protocol/types.js';
import { FakeClock } from './fake-clock.js';

const SELF: Address = { host: '10.0.0.1', port: 7946 };
const OTHER: Address = { host: '10.0.0.2', port: 7946 };

function driven(): { driver: CoreDriver; clock: FakeClock; sent: { to: Address; messages: readonly Message[] }[]; events: NodeEvent[] } {
  const clock = new FakeClock();
  const sent: { to: Address; messages: readonly Message[] }[] = [];
  const events: NodeEvent[] = [];
  const node = new GossipNode(PROFILES.lan, { name: nodeName('a'), addr: SELF, tags: {}, incarnation: incarnation(1) }, {
    random: seededRandom(3),
    addressCookie: seededAddressCookie(3),
    messageSize,
    packetOverheadBytes: 8,
  });
  const driver = new CoreDriver(node, { clock, send: (to, messages) => sent.push({ to, messages }), onEvent: (e) => events.push(e) });
  driver.start();
  return { driver, clock, sent, events };
}

describe('CoreDriver: the core on a clock', () => {
  it('keeps a timer armed from the first input: probes and anti-entropy run with no further calls', () => {
    const { driver, clock, sent } = driven();
    expect(clock.pendingTimers).toBe(1);
    void driver.join([OTHER], true);
    clock.advance(60_000);
    // Join retries with backoff, all by the timer alone.
    expect(sent.filter((d) => d.to.port === OTHER.port && d.messages.some((m) => m.type === 'sync')).length).toBeGreaterThan(2);
    expect(clock.pendingTimers).toBe(1);
  });

  it('resolves a join whose only seed is the node itself, whose end is in the join call itself', async () => {
    const { driver, events } = driven();
    await expect(driver.join([SELF], false)).resolves.toBe(0);
    expect(events.filter((e) => e.type === 'join-finished')).toHaveLength(1);
  });

  it('resolves a join with the seeds that answered', async () => {
    const { driver, clock } = driven();
    const joined = driver.join([OTHER], false);
    driver.receive([{ type: 'state', full: false, members: [] }], OTHER, clock.monotonicMs());
    await expect(joined).resolves.toBe(1);
  });

  it('on stop: no timer left, a pending join resolves with 0, a pending leave resolves', async () => {
    const { driver, clock } = driven();
    driver.receive([{ type: 'alive', name: nodeName('b'), incarnation: incarnation(1), addr: OTHER, tags: {} }], OTHER, 0);
    const joined = driver.join([{ host: '10.0.0.3', port: 7946 }], false);
    const left = driver.leave();
    driver.stop();
    await expect(joined).resolves.toBe(0);
    await expect(left).resolves.toBeUndefined();
    clock.advance(10_000);
    expect(clock.pendingTimers).toBe(0);
  });
});
