import { byLabel, MetricRegistry } from '../metrics/registry.js';
import { RTT_BUCKET_BOUNDS_MS, type NodeStats } from '../protocol/stats.js';
import { MEMBER_STATUSES, type MemberStatus } from '../protocol/types.js';
import type { TrafficCounters } from './traffic.js';
import type { StatusTransitions } from './transitions.js';

/** What one scrape reads from the agent; everything is read fresh, nothing is kept. */
export interface AgentMetricsSource {
  readonly name: string;
  readonly cluster: string;
  /** Members by status as this agent sees them, itself included. */
  readonly members: Readonly<Record<MemberStatus, number>>;
  readonly stats: NodeStats;
  readonly healthScore: number;
  readonly queueDepth: number;
  /** Updates dropped to hold the gossip queue at its bound. */
  readonly updatesDropped: number;
  /** Worst event-loop delay in the last measuring period, ms; null when not measured. */
  readonly loopDelayMs: number | null;
  readonly traffic: TrafficCounters;
  readonly drops: Readonly<Record<string, number>>;
  readonly transitions: StatusTransitions;
  readonly sendErrors: number;
  /** Network coordinates: the Vivaldi client's counters, coordinates the codec dropped, our own error estimate. */
  readonly coordinates: {
    readonly updates: number;
    readonly rejectedSamples: number;
    readonly resets: number;
    readonly dropped: number;
    readonly error: number;
  };
}

const MS_PER_S = 1000;

/**
 * The agent's metrics in the Prometheus text format (GET /metrics). Names follow Prometheus
 * conventions: `gossipd_` prefix, base units (seconds, bytes), `_total` on counters.
 */
export function renderAgentMetrics(source: AgentMetricsSource): string {
  const registry = new MetricRegistry();
  registry.gauge('gossipd_info', "Constant 1, labelled with this agent's member name and cluster.", [
    { labels: { name: source.name, cluster: source.cluster }, value: 1 },
  ]);
  membership(registry, source);
  probing(registry, source.stats);
  local(registry, source);
  traffic(registry, source);
  coordinates(registry, source.coordinates);
  return registry.render();
}

function coordinates(registry: MetricRegistry, c: AgentMetricsSource['coordinates']): void {
  registry
    .counter('gossipd_coordinate_updates_total', 'Direct probe round trips that moved this agent\'s network coordinate.', c.updates)
    .counter('gossipd_coordinate_samples_rejected_total', 'Round trips not used for coordinates: negative or above 10 s.', c.rejectedSamples)
    .counter('gossipd_coordinate_resets_total', 'Times the coordinate left its bounds and started over at the origin.', c.resets)
    .counter('gossipd_coordinates_dropped_total', 'Coordinates dropped from received pings and acks (bad shape, not finite, out of bounds).', c.dropped)
    .gauge('gossipd_coordinate_error', 'Vivaldi error estimate of this agent\'s coordinate: 0 certain, 1.5 knows nothing.', c.error);
}

function membership(registry: MetricRegistry, { members, stats, transitions }: AgentMetricsSource): void {
  registry
    .gauge('gossipd_members', 'Members this agent knows, by status (itself included).', byLabel('status', members))
    .counter('gossipd_suspicions_started_total', 'Suspicions this agent started after a missed probe.', stats.suspicionsStarted)
    .counter(
      'gossipd_suspicions_refuted_total',
      'Suspect members this agent then saw alive again (whoever suspected them).',
      transitions.count('suspect', 'alive'),
    )
    .counter(
      'gossipd_suspicions_confirmed_total',
      'Suspicions whose timeout ran out on this agent, which then declared the member failed.',
      stats.suspicionsConfirmed,
    )
    .counter(
      'gossipd_suspicions_gated_total',
      "Missed probes not turned into suspicions because this agent's own event loop had stalled.",
      stats.suspicionsGated,
    )
    .counter(
      'gossipd_refuted_after_failed_total',
      'Members this agent had marked failed that came back alive (failed to alive transitions).',
      transitions.count('failed', 'alive'),
    )
    .counter(
      'gossipd_self_refutations_total',
      'Accusations about this agent that it refuted by raising its incarnation.',
      stats.refutations,
    )
    .counter(
      'gossipd_member_transitions_total',
      'Member status changes seen by this agent; from="none" is a member first heard of.',
      transitions.all().map(({ from, to, count }) => ({ labels: { from, to }, value: count })),
    );
}

function probing(registry: MetricRegistry, stats: NodeStats): void {
  registry
    .counter('gossipd_probes_total', 'Probe rounds of this agent, by result.', [
      { labels: { result: 'direct_ok' }, value: stats.probesAcked - stats.probesAckedIndirect },
      { labels: { result: 'indirect_ok' }, value: stats.probesAckedIndirect },
      { labels: { result: 'failed' }, value: stats.probesFailed },
    ])
    .counter(
      'gossipd_probes_indirect_total',
      'Probe rounds that went on to the indirect phase (no ack within the probe timeout).',
      stats.indirectProbes,
    )
    .histogram('gossipd_probe_rtt_seconds', 'Round-trip time of acknowledged probes, direct or relayed.', [
      {
        labels: {},
        bounds: RTT_BUCKET_BOUNDS_MS.map((ms) => ms / MS_PER_S),
        counts: stats.rttBuckets,
        sum: stats.rttSumMs / MS_PER_S,
      },
    ]);
}

function local(registry: MetricRegistry, source: AgentMetricsSource): void {
  registry
    .gauge('gossipd_health_score', 'Lifeguard local health score: 0 is healthy; timing is stretched by score + 1.', source.healthScore)
    .gauge('gossipd_dissemination_queue_depth', 'Updates waiting to be piggybacked or gossiped.', source.queueDepth);
  if (source.loopDelayMs === null) return;
  registry.gauge(
    'gossipd_event_loop_delay_seconds',
    'Worst event-loop delay in the last measuring period (one probe interval).',
    source.loopDelayMs / MS_PER_S,
  );
}

function traffic(registry: MetricRegistry, { traffic: t, stats, drops, sendErrors, updatesDropped }: AgentMetricsSource): void {
  const firstType = 'attributed to the type of their first message';
  registry
    .counter('gossipd_packets_sent_total', `Datagrams sent, ${firstType}.`, byLabel('type', t.sent.packets))
    .counter('gossipd_bytes_sent_total', `Bytes of datagrams sent, ${firstType}.`, byLabel('type', t.sent.bytes))
    .counter('gossipd_packets_received_total', `Valid datagrams received, ${firstType}.`, byLabel('type', t.received.packets))
    .counter('gossipd_bytes_received_total', `Bytes of valid datagrams received, ${firstType}.`, byLabel('type', t.received.bytes))
    .counter('gossipd_messages_sent_total', 'Messages sent, by type (several may share a datagram).', byLabel('type', stats.messagesSent))
    .counter('gossipd_packets_dropped_total', 'Datagrams dropped on receipt, by reason.', byLabel('reason', drops))
    .counter('gossipd_send_errors_total', 'Datagrams the operating system refused to send.', sendErrors)
    .counter('gossipd_anti_entropy_digests_total', 'Anti-entropy rounds started: digests sent to a random member, or to a member that pinged us unknown.', stats.syncsStarted)
    .counter('gossipd_anti_entropy_states_sent_total', 'Member entries sent: those of the buckets that differ in a round, or a whole table to a joiner.', stats.statesSent)
    .counter('gossipd_anti_entropy_bucket_digests_total', 'Rounds answered with bucket digests (our table differed from the peer digest).', stats.bucketDigestsSent)
    .counter('gossipd_updates_dropped_total', 'Queued membership updates dropped (the most-sent first) to hold the gossip queue at 1,024: a join storm larger than that; anti-entropy carries what they said.', updatesDropped)
    .counter('gossipd_anti_entropy_retries_total', 'Steps of our rounds sent again because their answer did not come (lost datagrams).', stats.syncRetries)
    .counter('gossipd_address_challenges_total', 'Syncs answered with a cookie challenge: their source had not yet shown it receives our datagrams.', stats.challengesSent)
    .counter('gossipd_replies_withheld_total', 'Replies to an unvalidated source withheld: they would exceed 3 times the bytes it sent.', stats.repliesWithheld)
    .counter('gossipd_unsolicited_dropped_total', 'Challenges, bucket digests and pulls that matched no round of ours or carried no valid cookie.', stats.unsolicitedDropped)
    .counter('gossipd_anti_entropy_bytes_total', 'Bytes of state datagrams (member entries), by direction.', [
      { labels: { direction: 'sent' }, value: t.sent.bytes.state },
      { labels: { direction: 'received' }, value: t.received.bytes.state },
    ]);
}

/** Zero for every status, so each series exists even while no member has it. */
export function countByStatus(statuses: Iterable<MemberStatus>): Record<MemberStatus, number> {
  const counts = Object.fromEntries(MEMBER_STATUSES.map((status) => [status, 0])) as Record<MemberStatus, number>;
  for (const status of statuses) counts[status]++;
  return counts;
}
