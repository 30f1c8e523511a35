import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/options.js';
import { runScenario } from '../../src/sim/scenario.js';
import { scenarioOf } from './helpers.js';

// The judge's count of cross-side false failures that outlive a partition's heal: while the
// cut lasts each side rightly marks the other failed, and those are not false failures; once
// it has healed, every such verdict must be gone within the heal bound (2 × reconnectInterval),
// and none may be made anew.

const PARTITION = { fraction: 0.3, durationMs: 60_000, oneWay: false } as const;

describe('cross-side failures after a partition heals', () => {
  it('are none when the cluster merges again, for both kinds of cut', async () => {
    for (const [seed, oneWay] of [
      [71, false],
      [72, true],
    ] as const) {
      const report = await runScenario(scenarioOf({ seed, nodes: 60, durationMs: 220_000, partition: { ...PARTITION, oneWay } }));
      expect(report.partitionHealBoundMs).toBe(2 * PROFILES.lan.reconnectIntervalMs);
      expect(report.healedMs, `seed ${seed}`).not.toBeNull();
      expect(report.partitionFailuresAfterHeal, `seed ${seed}`).toBe(0);
    }
  });

  it('are counted when the sides never retry each other (reconnectTimeout shorter than the cut)', async () => {
    // After reconnectTimeout a failed member is no longer retried, and after gossipToTheDeadTime
    // nothing is sent to it: a 150 s cut outlasts both, and gives every member time to fail
    // every member of the other side through its own probes (a member that missed a failure's
    // gossip, and holds the member suspect when the cut ends, would still probe it and heal), so
    // each side keeps the other failed for good, and every live cross-side pair remains failed.
    const protocol = { ...PROFILES.lan, reconnectTimeoutMs: 10_000, gossipToTheDeadTimeMs: 10_000 };
    const partition = { ...PARTITION, durationMs: 150_000 };
    const report = await runScenario(scenarioOf({ seed: 73, nodes: 60, durationMs: 300_000, faultAtMs: 40_000, protocol, partition }));
    expect(report.healedMs).toBeNull();
    const cut = Math.round(PARTITION.fraction * 60);
    // Each side has every member of the other failed: 2 × 18 × 42 pairs.
    expect(report.partitionFailuresAfterHeal).toBe(2 * cut * (60 - cut));
    // While the cut lasted those failures were right: they are not false failures.
    expect(report.falseFailures).toBe(0);
  });

  it('are not judged without a partition, or before the bound has passed', async () => {
    expect((await runScenario(scenarioOf({ seed: 74, nodes: 20, durationMs: 60_000 }))).partitionFailuresAfterHeal).toBeNull();
    const short = await runScenario(scenarioOf({ seed: 75, nodes: 20, durationMs: 120_000, partition: PARTITION }));
    expect(short.partitionHealBoundMs).toBe(60_000);
    expect(short.partitionFailuresAfterHeal).toBeNull();
  });
});
