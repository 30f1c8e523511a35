import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberView } from '../../src/agent/api.js';
import { netnsUnavailableReason, removeLeftovers, TestNet, type TestAgent } from './testnet.js';
import { inCi } from '../ci.js';

// Four real hosts (network namespaces) on two switch segments, {h0,h1} and {h2,h3}, one
// `gossipd agent` process each, with the issue's fast timing and a 1 s reconnect interval.
const skipReason = netnsUnavailableReason();
/**
 * In CI (the CI variable set, as every CI service and `.ci/run` do) the suite must run: a
 * machine that cannot run it is a broken CI setup, and a skip there would hide the only test of
 * real partitions. On a developer's machine without root or iproute2 it skips, and says so.
 */
const skipped = skipReason !== null && !inCi();
if (skipped) console.warn(`test/netns skipped: ${skipReason}`);

const FAST = ['--profile', 'local', '--probe-interval', '200ms', '--probe-timeout', '100ms', '--gossip-interval', '50ms', '--suspicion-mult', '4'];
const ARGS = ['--cluster', 'netns', ...FAST, '--reconnect-interval', '1s'];
const NAMES = ['h0', 'h1', 'h2', 'h3'];
const SIDE_A = ['h0', 'h1'];
const SIDE_B = ['h2', 'h3'];

/**
 * Bounds, generous for a slow shared machine. Detection: a probe round of 3 others (0.6 s) +
 * the maximum suspicion timeout (4 × 200 ms × 6 = 4.8 s) + gossip. Healing: every member
 * retries a failed one every reconnect interval (1 s) with probability failed/alive (here 1),
 * and one state exchange across the healed link is enough for both sides.
 */
const DETECT_BOUND_MS = 15_000;
const HEAL_BOUND_MS = 15_000;

async function until(condition: () => boolean, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (condition()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition() ? performance.now() - started : null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipped)(`real hosts in network namespaces${skipped ? ` (skipped: ${skipReason})` : ''}`, () => {
  let net: TestNet;
  const agents: TestAgent[] = [];
  const agent = (name: string): TestAgent => {
    const found = agents.find((a) => a.name === name);
    if (found === undefined) throw new Error(`no agent ${name}`);
    return found;
  };
  /** Whether every observer's logs show every subject (other than itself) with this status. */
  const allSee = (observers: readonly string[], subjects: readonly string[], status: string): boolean =>
    observers.every((o) => subjects.every((s) => s === o || agent(o).statusOf(s) === status));

  /** Every agent, asked through the CLI in its own namespace, lists all four alive. */
  async function cliSeesAllAlive(): Promise<boolean> {
    const views = await Promise.all(NAMES.map((_, i) => net.cli(i, ['members', '--json'])));
    return views.every((view) => {
      if (view.code !== 0) return false;
      const members = JSON.parse(view.stdout) as MemberView[];
      return NAMES.every((name) => members.find((m) => m.name === name)?.status === 'alive');
    });
  }

  beforeAll(async () => {
    // Only reached in CI when the suite cannot run: every test below then fails with the reason.
    if (skipReason !== null) throw new Error(`CI=${process.env['CI'] ?? ''} is set, and test/netns cannot run: ${skipReason}`);
    const removed = removeLeftovers();
    if (removed.length > 0) console.warn(`removed namespaces left by earlier runs: ${removed.join(', ')}`);
    net = new TestNet(4, [0, 0, 1, 1]);
    const seed = `${net.hosts[0]?.addr ?? ''}:7946`;
    agents.push(await net.startAgent(0, ARGS));
    agents.push(...(await Promise.all([1, 2, 3].map((i) => net.startAgent(i, [...ARGS, '--join', seed])))));
  }, 60_000);

  afterAll(async () => {
    await net?.destroy();
  });

  it('converge across the switch', async () => {
    expect(await until(() => allSee(NAMES, NAMES, 'alive'), 20_000)).not.toBeNull();
    expect(await cliSeesAllAlive()).toBe(true);
  });

  it('a partition makes each side mark the other failed; healing brings everyone back alive', async () => {
    net.setSegmentLink(1, false);
    const detectMs = await until(() => allSee(SIDE_A, SIDE_B, 'failed') && allSee(SIDE_B, SIDE_A, 'failed'), DETECT_BOUND_MS);
    expect(detectMs, 'each side marks the other failed').not.toBeNull();
    // Within a side, nobody doubts its neighbour.
    expect(allSee(SIDE_A, SIDE_A, 'alive') && allSee(SIDE_B, SIDE_B, 'alive')).toBe(true);
    await sleep(2_000); // a few reconnect attempts into the void

    net.setSegmentLink(1, true);
    const healMs = await until(() => allSee(NAMES, NAMES, 'alive'), HEAL_BOUND_MS);
    expect(healMs, `everyone alive again within ${HEAL_BOUND_MS} ms`).not.toBeNull();
    expect(await cliSeesAllAlive()).toBe(true);
    console.info(`netns partition: detected by both sides in ${Math.round(detectMs ?? -1)} ms, healed in ${Math.round(healMs ?? -1)} ms`);
  });

  it('a host whose link flaps does not flap the cluster', async () => {
    // What is asserted: while h3's cable is pulled for 300 ms and plugged back for 1 s, five
    // times, and for 3 s after: no host but h3 is ever marked failed by anyone, and the healthy
    // hosts never accuse each other: every suspicion of h0, h1 or h2 originates from h3 (while
    // unplugged, h3 misses its probes and may suspect them; the suspicion spreads when it is
    // back, and they refute). Afterwards all four are alive everywhere.
    expect(await until(() => allSee(NAMES, NAMES, 'alive'), 20_000)).not.toBeNull();
    const since = performance.now();
    for (let i = 0; i < 5; i++) {
      net.setHostLink(3, false);
      await sleep(300);
      net.setHostLink(3, true);
      await sleep(1_000);
    }
    await sleep(3_000);
    const changes = agents.flatMap((a) => a.changes.filter((c) => c.atMs >= since).map((c) => ({ observer: a.name, ...c })));
    const others = ['h0', 'h1', 'h2'];
    const failedOthers = changes.filter((c) => others.includes(c.subject) && c.to === 'failed');
    const suspectedOthers = changes.filter((c) => others.includes(c.subject) && c.to === 'suspect' && c.by !== 'h3');
    expect(failedOthers).toEqual([]);
    expect(suspectedOthers).toEqual([]);
    expect(await until(() => allSee(NAMES, NAMES, 'alive'), 15_000)).not.toBeNull();
    expect(await cliSeesAllAlive()).toBe(true);
    const aboutH3 = changes.filter((c) => c.subject === 'h3' && c.observer !== 'h3').map((c) => c.to);
    const accusedByH3 = changes.filter((c) => c.by === 'h3' && c.subject !== 'h3' && c.to === 'suspect').length;
    console.info(`netns flap: others saw h3 ${JSON.stringify(countBy(aboutH3))}; suspicions of the others raised by h3, as seen anywhere: ${accusedByH3}`);
  });
});

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
