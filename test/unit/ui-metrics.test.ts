import { describe, expect, it } from 'vitest';
import { byLabel, histogramBuckets, parsePrometheusText, sampleValue } from '../../src/http/ui/metrics-text.js';
import { renderExposition } from '../../src/metrics/exposition.js';

// The health panel of /ui reads GET /metrics in the page; its parser against hand-written text.

const TEXT = `# HELP gossipd_health_score Lifeguard local health
# TYPE gossipd_health_score gauge
gossipd_health_score 2
gossipd_probes_total{result="direct_ok"} 120
gossipd_probes_total{result="failed"} 3
gossipd_packets_dropped_total{reason="wrong-cluster"} 7
gossipd_packets_dropped_total{reason="too-large"} 0
gossipd_info{name="we \\"quote\\", commas, and \\\\",cluster="c"} 1
gossipd_probe_rtt_seconds_bucket{le="0.001"} 4
gossipd_probe_rtt_seconds_bucket{le="0.01"} 10
gossipd_probe_rtt_seconds_bucket{le="+Inf"} 11
gossipd_probe_rtt_seconds_sum 0.5
gossipd_probe_rtt_seconds_count 11
not a sample line {
`;

describe('parsePrometheusText', () => {
  const samples = parsePrometheusText(TEXT);

  it('reads values, labels (with escapes) and skips comments and junk', () => {
    expect(sampleValue(samples, 'gossipd_health_score')).toBe(2);
    expect(sampleValue(samples, 'gossipd_info', { cluster: 'c' })).toBe(1);
    expect(samples.find((s) => s.name === 'gossipd_info')?.labels['name']).toBe('we "quote", commas, and \\');
    expect(sampleValue(samples, 'absent')).toBeNull();
    expect(samples).toHaveLength(11);
  });

  it('groups a family by one label', () => {
    expect(byLabel(samples, 'gossipd_probes_total', 'result')).toEqual({ direct_ok: 120, failed: 3 });
    expect(byLabel(samples, 'gossipd_packets_dropped_total', 'reason')).toEqual({ 'wrong-cluster': 7, 'too-large': 0 });
  });

  it('turns cumulative buckets into counts per bucket, +Inf last', () => {
    expect(histogramBuckets(samples, 'gossipd_probe_rtt_seconds')).toEqual([
      { le: 0.001, count: 4 },
      { le: 0.01, count: 6 },
      { le: Infinity, count: 1 },
    ]);
  });
});

describe('parsePrometheusText on what the agent writes', () => {
  it('reads back a histogram and labelled counters rendered by renderExposition', () => {
    const text = renderExposition([
      { type: 'gauge', name: 'g', help: 'a\\nb', samples: [{ labels: { name: 'line\nfeed "q"' }, value: 1.5 }] },
      { type: 'histogram', name: 'h_seconds', help: 'h', samples: [{ labels: {}, bounds: [0.00025, 0.001, 5], counts: [1, 2, 0, 4], sum: 30 }] },
    ]);
    const samples = parsePrometheusText(text);
    expect(samples.find((s) => s.name === 'g')).toEqual({ name: 'g', labels: { name: 'line\nfeed "q"' }, value: 1.5 });
    expect(histogramBuckets(samples, 'h_seconds')).toEqual([
      { le: 0.00025, count: 1 },
      { le: 0.001, count: 2 },
      { le: 5, count: 0 },
      { le: Infinity, count: 4 },
    ]);
    expect(sampleValue(samples, 'h_seconds_count')).toBe(7);
  });
});
