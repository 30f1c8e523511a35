// Convergence and crash-detection times of five in-process agents over real UDP on 127.0.0.1,
// with the fast timing. Median of several trials. Run: npm run bench:five [-- trials]
import { createAgent, type Agent } from '../src/agent/index.js';
import { defaultConfig, EXPERIMENT_TIMING, type AgentConfig } from '../src/config.js';

const TRIALS = Number(process.argv[2] ?? 7);

function config(name: string, join: string[]): AgentConfig {
  return defaultConfig(name, {
    ...EXPERIMENT_TIMING,
    profile: 'local',
    bind: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    join,
    cluster: 'bench-five',
    logLevel: 'silent',
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (condition()) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function trial(): Promise<{ convergeMs: number | null; firstMs: number | null; allMs: number | null }> {
  const first = createAgent(config('b0', []), { http: false });
  await first.start();
  const agents: Agent[] = [first];
  const startedAt = performance.now();
  for (let i = 1; i < 5; i++) {
    const agent = createAgent(config(`b${i}`, [first.boundAddresses.udp]), { http: false });
    await agent.start();
    agents.push(agent);
  }
  const converge = await until(() => agents.every((o) => agents.every((s) => o.member(s.name)?.status === 'alive')), 30_000);
  const convergeMs = converge === null ? null : performance.now() - startedAt;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const victim = agents[2] as Agent;
  const rest = agents.filter((a) => a !== victim);
  await victim.stop();
  const firstMs = await until(() => rest.some((a) => a.member(victim.name)?.status === 'failed'), 30_000);
  const allMs = await until(() => rest.every((a) => a.member(victim.name)?.status === 'failed'), 30_000);
  await Promise.all(rest.map((a) => a.stop()));
  return { convergeMs, firstMs, allMs: allMs === null || firstMs === null ? null : allMs + firstMs };
}

const results = [];
for (let i = 0; i < TRIALS; i++) {
  const result = await trial();
  results.push(result);
  process.stderr.write(`trial ${i + 1}/${TRIALS}: ${JSON.stringify(result)}\n`);
}
const ok = <T>(values: (T | null)[]): T[] => values.filter((v): v is T => v !== null);
console.log(
  JSON.stringify(
    {
      trials: TRIALS,
      timing: 'local profile, probe 200ms, timeout 100ms, gossip 50ms, suspicion-mult 4',
      convergeMedianMs: Math.round(median(ok(results.map((r) => r.convergeMs)))),
      crashFirstFailedMedianMs: Math.round(median(ok(results.map((r) => r.firstMs)))),
      crashAllFailedMedianMs: Math.round(median(ok(results.map((r) => r.allMs)))),
      failedTrials: results.filter((r) => r.convergeMs === null || r.allMs === null).length,
    },
    null,
    2,
  ),
);
