import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import { fastConfig, waitFor } from './helpers.js';
import { inCi } from '../ci.js';
import { prometheusAvailable, startPrometheus, type RunningPrometheus } from './prometheus-server.js';

// A real Prometheus scrapes three agents: one statically, all three through the targets it
// discovers from an agent's GET /v1/sd. The assertions are on what Prometheus reports.
// Without the binary the test skips locally, but fails when $CI is set (.ci/run installs it).
const available = prometheusAvailable();
if (!available && !inCi()) {
  console.warn('SKIPPED prometheus.test.ts: no `prometheus` binary on PATH (apt-get install prometheus; .ci/run installs it)');
}

interface Target {
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly health: string;
  readonly lastError: string;
}

interface Series {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

describe.skipIf(!available && !inCi())('Prometheus scraping gossipd', () => {
  const agents: Agent[] = [];
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    if (!available) throw new Error(`CI=${process.env['CI'] ?? ''} is set, and there is no \`prometheus\` binary on PATH (apt-get install prometheus)`);
    for (let i = 0; i < 3; i++) {
      const join = i === 0 ? [] : [agents[0]?.boundAddresses.udp ?? ''];
      const agent = createAgent(fastConfig(`p${i}`, { join }), { http: true });
      await agent.start();
      // Each agent advertises where its metrics are: its own HTTP port, known once bound.
      agent.setTags({ metrics_port: agent.boundAddresses.http.split(':')[1] ?? '', role: 'test' });
      agents.push(agent);
    }
    const ready = await waitFor(
      () => agents.every((observer) => agents.every((a) => observer.member(a.name)?.tags['metrics_port'] !== undefined)),
      15_000,
    );
    expect(ready).toBe(true);
    const first = agents[0]?.boundAddresses.http ?? '';
    prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: gossipd-static
    static_configs:
      - targets: ['${first}']
  - job_name: gossipd-sd
    http_sd_configs:
      - url: http://${first}/v1/sd
        refresh_interval: 1s
    relabel_configs:
      - source_labels: [__meta_gossipd_name]
        target_label: member
      - source_labels: [__meta_gossipd_tag_role]
        target_label: role
`);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(agents.map((agent) => agent.stop()));
  });

  async function api<T>(path: string): Promise<T | undefined> {
    try {
      const response = await fetch(`${prometheus?.url ?? ''}${path}`);
      if (!response.ok) return undefined;
      const body = (await response.json()) as { status: string; data: T };
      return body.status === 'success' ? body.data : undefined;
    } catch {
      return undefined; // not listening yet
    }
  }

  async function poll<T>(path: string, until: (data: T) => boolean, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    while (Date.now() < deadline) {
      last = await api<T>(path);
      if (last !== undefined && until(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return last;
  }

  it('discovers every agent through /v1/sd, scrapes them all, and reads the member count', async () => {
    const sdUp = (targets: { activeTargets: Target[] }): boolean =>
      targets.activeTargets.filter((t) => t.scrapePool === 'gossipd-sd' && t.health === 'up').length === 3 &&
      targets.activeTargets.some((t) => t.scrapePool === 'gossipd-static' && t.health === 'up');
    const targets = await poll<{ activeTargets: Target[] }>('/api/v1/targets', sdUp, 40_000);
    if (targets === undefined || !sdUp(targets)) {
      throw new Error(`targets never all up: ${JSON.stringify(targets)}\nprometheus said: ${prometheus?.output() ?? ''}`);
    }
    const discovered = targets.activeTargets.filter((t) => t.scrapePool === 'gossipd-sd');
    const expected = agents.map((a) => a.boundAddresses.http).sort();
    expect(discovered.map((t) => t.labels['instance']).sort()).toEqual(expected);
    expect(discovered.map((t) => t.labels['member']).sort()).toEqual(['p0', 'p1', 'p2']);
    expect(discovered.every((t) => t.labels['role'] === 'test' && t.lastError === '')).toBe(true);
    console.log(`Prometheus reports ${discovered.length} sd targets up: ${discovered.map((t) => `${t.labels['member']}@${t.labels['instance']}`).join(', ')}`);

    const query = `/api/v1/query?query=${encodeURIComponent('gossipd_members{status="alive",job="gossipd-sd"}')}`;
    const allThree = (data: { result: Series[] }): boolean => data.result.length === 3 && data.result.every((s) => s.value[1] === '3');
    const members = await poll<{ result: Series[] }>(query, allThree, 15_000);
    expect(members?.result.map((s) => [s.metric['member'], s.value[1]]).sort()).toEqual([
      ['p0', '3'],
      ['p1', '3'],
      ['p2', '3'],
    ]);
    console.log(`Prometheus query gossipd_members{status="alive"}: ${members?.result.map((s) => `${s.metric['member']}=${s.value[1]}`).join(', ')}`);

    // The probe counters and the round-trip histogram are usable in PromQL as they are.
    const probes = await api<{ result: Series[] }>(`/api/v1/query?query=${encodeURIComponent('sum(gossipd_probes_total{result="direct_ok"})')}`);
    expect(Number(probes?.result[0]?.value[1])).toBeGreaterThan(0);
    const p99 = `histogram_quantile(0.99, sum by (le) (gossipd_probe_rtt_seconds_bucket{job="gossipd-sd"}))`;
    const rtt = await api<{ result: Series[] }>(`/api/v1/query?query=${encodeURIComponent(p99)}`);
    const rttSeconds = Number(rtt?.result[0]?.value[1]);
    expect(rttSeconds).toBeGreaterThan(0);
    expect(rttSeconds).toBeLessThan(1);
    console.log(`Prometheus: sum direct_ok probes = ${probes?.result[0]?.value[1] ?? '?'}, p99 probe RTT = ${rttSeconds} s`);
  });

  it("passes promtool's own lint of the exposition", async () => {
    const text = await (await fetch(`http://${agents[0]?.boundAddresses.http ?? ''}/metrics`)).text();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (lint.error !== undefined) return; // promtool ships with the same package; absent, nothing to lint with
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
