import { defineConfig } from 'vitest/config';

/**
 * Tests that run real agents on real time: hosts in network namespaces, agent processes, real
 * UDP. Their timing is the fast one of the issue (probes every 200 ms, timeouts of 100 ms),
 * so they run first, on their own, before the simulations and benchmarks: while a 3,000-member
 * simulation held the other core, a healthy host in test/netns was suspected (two suite runs,
 * two different netns tests failed; both pass alone).
 */
const REAL_TIME = ['test/netns/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/integration/**/*.test.ts'];

export default defineConfig({
  test: {
    // Real-UDP and real-process tests poll with generous bounds for a slow shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'real-time', include: REAL_TIME, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'virtual-time', include: ['test/**/*.test.ts'], exclude: REAL_TIME, sequence: { groupOrder: 1 } } },
    ],
  },
});
