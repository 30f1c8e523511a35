import { describe, expect, it } from 'vitest';
import { Suspicion, suspicionBounds, suspicionTimeoutMs } from '../../src/protocol/suspicion.js';
import { nodeName } from '../../src/protocol/types.js';

describe('Lifeguard suspicion timeout', () => {
  // Figures from memberlist's derived table (protocol brief §3.2) for the lan profile.
  it.each([
    [3, 4000, 24000, 0],
    [5, 4000, 24000, 2],
    [10, 4000, 24000, 2],
    [100, 8000, 48000, 2],
    [1000, 12000, 72000, 2],
  ])('n=%i: min %i ms, max %i ms, k=%i', (n, min, max, k) => {
    const bounds = suspicionBounds(n, 1000, 4, 6);
    expect(bounds.minMs).toBeCloseTo(min, 6);
    expect(bounds.maxMs).toBeCloseTo(max, 6);
    expect(bounds.expectedConfirmations).toBe(k);
  });

  it('shrinks logarithmically with confirmations (n=5: 24 s, 11.4 s, 4 s)', () => {
    const bounds = suspicionBounds(5, 1000, 4, 6);
    expect(suspicionTimeoutMs(bounds, 0)).toBe(24000);
    expect(suspicionTimeoutMs(bounds, 1)).toBe(Math.floor(24000 - 20000 * (Math.log(2) / Math.log(3))));
    expect(suspicionTimeoutMs(bounds, 1)).toBeGreaterThan(11300);
    expect(suspicionTimeoutMs(bounds, 1)).toBeLessThan(11500);
    expect(suspicionTimeoutMs(bounds, 2)).toBe(4000);
    expect(suspicionTimeoutMs(bounds, 5)).toBe(4000);
  });

  it('starts at the minimum when the cluster is too small to confirm', () => {
    expect(suspicionTimeoutMs(suspicionBounds(3, 1000, 4, 6), 0)).toBe(4000);
  });

  it('counts only independent confirmations, not the originator or repeats', () => {
    const suspicion = new Suspicion(7, 10_000, nodeName('a'), suspicionBounds(10, 1000, 4, 6));
    expect(suspicion.deadlineMs()).toBe(10_000 + 24_000);
    expect(suspicion.confirm(nodeName('a'))).toBe(false);
    expect(suspicion.confirm(nodeName('b'))).toBe(true);
    expect(suspicion.confirm(nodeName('b'))).toBe(false);
    expect(suspicion.confirm(nodeName('c'))).toBe(true);
    expect(suspicion.confirm(nodeName('d'))).toBe(false);
    expect(suspicion.confirmations).toBe(2);
    expect(suspicion.deadlineMs()).toBe(10_000 + 4_000);
  });
});
