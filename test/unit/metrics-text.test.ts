import { describe, expect, it } from 'vitest';
import { countByStatus, renderAgentMetrics } from '../../src/agent/metrics.js';
import { TrafficCounters } from '../../src/agent/traffic.js';
import { StatusTransitions } from '../../src/agent/transitions.js';
import { escapeLabelValue, formatValue } from '../../src/metrics/exposition.js';
import { MetricRegistry } from '../../src/metrics/registry.js';
import { NodeStats, RTT_BUCKET_BOUNDS_MS } from '../../src/protocol/stats.js';
import { incarnation, nodeName, seqNo } from '../../src/protocol/types.js';

describe('Prometheus text exposition', () => {
  it('writes HELP and TYPE lines, labels and escaped values', () => {
    const text = new MetricRegistry()
      .counter('x_total', 'Back\\slash and\nnewline.', [{ labels: { a: 'q"uo\\te\nnl' }, value: 3 }])
      .gauge('y', 'A gauge.', 1.5)
      .render();
    expect(text).toBe(
      [
        '# HELP x_total Back\\\\slash and\\nnewline.',
        '# TYPE x_total counter',
        'x_total{a="q\\"uo\\\\te\\nnl"} 3',
        '# HELP y A gauge.',
        '# TYPE y gauge',
        'y 1.5',
        '',
      ].join('\n'),
    );
  });

  it('renders histograms with cumulative buckets, +Inf, _sum and _count', () => {
    const text = new MetricRegistry()
      .histogram('h_seconds', 'H.', [{ labels: { k: 'v' }, bounds: [0.1, 1], counts: [2, 3, 1], sum: 4.2 }])
      .render();
    expect(text.split('\n').filter((line) => !line.startsWith('#'))).toEqual([
      'h_seconds_bucket{k="v",le="0.1"} 2',
      'h_seconds_bucket{k="v",le="1"} 5',
      'h_seconds_bucket{k="v",le="+Inf"} 6',
      'h_seconds_sum{k="v"} 4.2',
      'h_seconds_count{k="v"} 6',
      '',
    ]);
  });

  it('formats special values as Go does', () => {
    expect([NaN, Infinity, -Infinity, 0, 1e-7].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '0', '1e-7']);
    expect(escapeLabelValue('a"b')).toBe('a\\"b');
  });

  it('refuses names Prometheus would reject, counters without _total, and duplicates', () => {
    expect(() => new MetricRegistry().gauge('bad-name', 'x', 1)).toThrow(/bad metric name/);
    expect(() => new MetricRegistry().counter('no_suffix', 'x', 1)).toThrow(/_total/);
    expect(() => new MetricRegistry().gauge('g', 'x', [{ labels: { 'bad-label': 'v' }, value: 1 }])).toThrow(/bad label name/);
    expect(() => new MetricRegistry().gauge('g', 'x', 1).gauge('g', 'x', 2)).toThrow(/twice/);
    expect(() => new MetricRegistry().histogram('h', 'x', [{ labels: {}, bounds: [1, 2], counts: [1], sum: 0 }])).toThrow(/counts/);
  });
});

describe('agent metrics', () => {
  function render(overrides: Partial<Parameters<typeof renderAgentMetrics>[0]> = {}): string {
    const stats = new NodeStats();
    stats.probesAcked = 10;
    stats.probesAckedIndirect = 3;
    stats.probesFailed = 2;
    stats.syncRetries = 4;
    stats.challengesSent = 5;
    stats.repliesWithheld = 6;
    stats.recordRtt(0.3);
    stats.recordRtt(40);
    stats.recordRtt(99_000);
    const traffic = new TrafficCounters();
    traffic.countSent(
      [
        { type: 'ping', seq: seqNo(1), target: nodeName('b') },
        { type: 'left', name: nodeName('c'), incarnation: incarnation(1) },
      ],
      120,
    );
    traffic.countReceived([{ type: 'state', full: false, members: [] }], 900);
    const transitions = new StatusTransitions();
    transitions.note(null, 'alive');
    transitions.note('alive', 'suspect');
    transitions.note('suspect', 'alive');
    transitions.note('alive', 'failed');
    transitions.note('failed', 'alive');
    transitions.note('alive', 'alive');
    return renderAgentMetrics({
      name: 'n"1',
      cluster: 'c',
      members: countByStatus(['alive', 'alive', 'failed']),
      stats,
      healthScore: 2,
      queueDepth: 4,
      updatesDropped: 7,
      loopDelayMs: 35,
      traffic,
      drops: { malformed: 5, 'rate-limited': 0 },
      transitions,
      sendErrors: 0,
      coordinates: { updates: 12, rejectedSamples: 1, resets: 0, dropped: 3, error: 0.25 },
      ...overrides,
    });
  }

  it('reports the network coordinate counters and error', () => {
    const text = render();
    expect(text).toContain('gossipd_coordinate_updates_total 12\n');
    expect(text).toContain('gossipd_coordinates_dropped_total 3\n');
    expect(text).toContain('gossipd_coordinate_error 0.25\n');
  });

  it('reports the anti-entropy retries and the address-validation counters', () => {
    const text = render();
    expect(text).toContain('gossipd_anti_entropy_retries_total 4\n');
    expect(text).toContain('gossipd_updates_dropped_total 7\n');
    expect(text).toContain('gossipd_address_challenges_total 5\n');
    expect(text).toContain('gossipd_replies_withheld_total 6\n');
  });

  it('derives direct and indirect probe results and counts transitions', () => {
    const text = render();
    expect(text).toContain('gossipd_probes_total{result="direct_ok"} 7\n');
    expect(text).toContain('gossipd_probes_total{result="indirect_ok"} 3\n');
    expect(text).toContain('gossipd_probes_total{result="failed"} 2\n');
    expect(text).toContain('gossipd_members{status="alive"} 2\n');
    expect(text).toContain('gossipd_members{status="suspect"} 0\n');
    expect(text).toContain('gossipd_suspicions_refuted_total 1\n');
    expect(text).toContain('gossipd_refuted_after_failed_total 1\n');
    expect(text).toContain('gossipd_member_transitions_total{from="none",to="alive"} 1\n');
    expect(text).toContain('gossipd_info{name="n\\"1",cluster="c"} 1\n');
    expect(text).toContain('gossipd_health_score 2\n');
    expect(text).toContain('gossipd_dissemination_queue_depth 4\n');
    expect(text).toContain('gossipd_event_loop_delay_seconds 0.035\n');
    expect(text).toContain('gossipd_packets_dropped_total{reason="malformed"} 5\n');
  });

  it('attributes a datagram and its bytes to its first message type', () => {
    const text = render();
    expect(text).toContain('gossipd_packets_sent_total{type="ping"} 1\n');
    expect(text).toContain('gossipd_bytes_sent_total{type="ping"} 120\n');
    expect(text).toContain('gossipd_packets_sent_total{type="left"} 0\n');
    expect(text).toContain('gossipd_anti_entropy_bytes_total{direction="received"} 900\n');
  });

  it('buckets probe round trips in seconds', () => {
    const text = render();
    expect(RTT_BUCKET_BOUNDS_MS[0]).toBe(0.25);
    expect(text).toContain('gossipd_probe_rtt_seconds_bucket{le="0.00025"} 0\n');
    expect(text).toContain('gossipd_probe_rtt_seconds_bucket{le="0.0005"} 1\n');
    expect(text).toContain('gossipd_probe_rtt_seconds_bucket{le="0.05"} 2\n');
    expect(text).toContain('gossipd_probe_rtt_seconds_bucket{le="5"} 2\n');
    expect(text).toContain('gossipd_probe_rtt_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain('gossipd_probe_rtt_seconds_count 3\n');
  });

  it('leaves the loop delay out when it is not measured', () => {
    expect(render({ loopDelayMs: null })).not.toContain('gossipd_event_loop_delay_seconds');
  });
});
