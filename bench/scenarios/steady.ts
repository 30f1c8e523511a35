// steady state: a quiet window with nothing polled, over which CPU, memory and traffic are
// measured — our traffic from the agents' own counters where they can be read (in-process),
// and for every system from the bench's own network namespace (/proc/net), the same way.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { netIsolation } from '../netns.js';
import { diffNet, netCounters } from '../procfs.js';
import { mean } from '../stats.js';
import { sleep, waitUntil } from '../wait.js';
import { falseAlarmsSince, mark, type FalseAlarms, type ScenarioContext } from './context.js';

export interface SteadyResult extends FalseAlarms {
  readonly windowS: number;
  readonly members: number;
  readonly cpuMsPerMemberPerS: number;
  /** What the CPU figure covers. */
  readonly cpuScope: string;
  readonly rssMBPerProcess: { readonly mean: number; readonly max: number; readonly processes: number } | null;
  readonly rssMBPerMember: number | null;
  /** The agents' own counters: UDP payload handed to the socket. */
  readonly own: { readonly datagramsPerMemberPerS: number; readonly bytesPerMemberPerS: number } | null;
  /** The namespace's counters: every packet on loopback, IP headers included (20 + 8 bytes per UDP datagram). */
  readonly wire: {
    readonly udpDatagramsPerMemberPerS: number;
    readonly tcpSegmentsPerMemberPerS: number;
    readonly packetsPerMemberPerS: number;
    readonly bytesPerMemberPerS: number;
    readonly source: string;
  } | null;
  /** How long the bench waited after convergence for the join gossip to settle. */
  readonly settledMs?: number;
  /** This process's event-loop delay over the window, ms (matters in-process). */
  readonly loopDelayMs: { readonly p99: number; readonly max: number };
}

/** Longest wait for the dissemination queues to drain after a join storm. */
const MAX_SETTLE_MS = 180_000;

/**
 * Lets the join storm's gossip die down before a steady-state window: five probe intervals plus
 * 50 ms per member for every system alike, and where the agents can be asked (in-process), until
 * every dissemination queue is empty. Resolves with the time waited.
 */
export async function settle(context: ScenarioContext): Promise<number> {
  const startMs = performance.now();
  await sleep(5 * context.timing.probeIntervalMs + 50 * context.cluster.live().length);
  if (context.cluster.quiet() !== null) await waitUntil(() => context.cluster.quiet() === true, MAX_SETTLE_MS, 200);
  return performance.now() - startMs;
}

export async function steady(context: ScenarioContext, windowMs: number): Promise<SteadyResult> {
  const { cluster } = context;
  const n = cluster.live().length;
  const since = mark(context);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const usageBefore = cluster.usage();
  const netBefore = netCounters();
  const startMs = performance.now();
  await sleep(windowMs);
  const usageAfter = cluster.usage();
  const netAfter = netCounters();
  const seconds = (performance.now() - startMs) / 1000;
  loop.disable();
  const perMemberPerS = (value: number): number => value / n / seconds;
  const rssMB = usageAfter.rssBytes.map((bytes) => bytes / 2 ** 20);
  const net = netBefore !== null && netAfter !== null ? diffNet(netAfter, netBefore) : null;
  const sentBefore = usageBefore.sent;
  const sentAfter = usageAfter.sent;
  return {
    windowS: seconds,
    members: n,
    cpuMsPerMemberPerS: perMemberPerS(usageAfter.cpuMs - usageBefore.cpuMs),
    cpuScope:
      cluster.mode === 'in-process'
        ? 'the whole bench process (all agents plus the bench, which is idle in the window)'
        : 'sum over agent processes (/proc/PID/stat utime+stime)',
    rssMBPerProcess:
      cluster.mode === 'multi-process' && rssMB.length > 0
        ? { mean: mean(rssMB) ?? 0, max: Math.max(...rssMB), processes: rssMB.length }
        : null,
    rssMBPerMember: cluster.mode === 'in-process' ? (rssMB[0] ?? 0) / n : null,
    own:
      sentBefore !== null && sentAfter !== null
        ? {
            datagramsPerMemberPerS: perMemberPerS(sentAfter.datagrams - sentBefore.datagrams),
            bytesPerMemberPerS: perMemberPerS(sentAfter.bytes - sentBefore.bytes),
          }
        : null,
    wire:
      net === null
        ? null
        : {
            udpDatagramsPerMemberPerS: perMemberPerS(net.udpOutDatagrams),
            tcpSegmentsPerMemberPerS: perMemberPerS(net.tcpOutSegments),
            packetsPerMemberPerS: perMemberPerS(net.loTxPackets),
            bytesPerMemberPerS: perMemberPerS(net.loTxBytes),
            source:
              netIsolation() === 'private'
                ? "/proc/net/dev (lo) and /proc/net/snmp deltas in the bench's private network namespace"
                : '/proc/net deltas of the whole machine (shared network: other traffic included)',
          },
    loopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    ...falseAlarmsSince(context, since),
  };
}
