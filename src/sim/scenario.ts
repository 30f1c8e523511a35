import type { ProfileName, ProtocolOptions } from '../protocol/options.js';
import { randomInt, seededRandom, shuffle, type Random } from '../protocol/random.js';
import type { MemberStatus } from '../protocol/types.js';

/** A simulated member's host name. */
type NodeName = string;
import { expectedFigures } from './expected.js';
import { ConvergenceTracker } from './convergence.js';
import type { CrashReport, SimulationReport, Spread } from './report.js';
import { Simulation } from './simulation.js';

export interface PauseFault {
  readonly count: number;
  readonly durationMs: number;
}

export interface PartitionFault {
  /** Fraction of the members cut off from the rest. */
  readonly fraction: number;
  readonly durationMs: number;
  /** One-way: the cut-off side cannot send to the rest, but still hears from it. */
  readonly oneWay: boolean;
}

export interface ScenarioOptions {
  readonly nodes: number;
  readonly durationMs: number;
  readonly seed: number;
  readonly profile: ProfileName;
  readonly protocol: ProtocolOptions;
  readonly lossRate: number;
  readonly latencyMs: readonly [number, number];
  /** Members that crash at faultAtMs. */
  readonly crash: number;
  readonly pause: PauseFault | null;
  readonly partition: PartitionFault | null;
  readonly faultAtMs: number;
  /** `join`: members start within the first second and join through earlier ones. `converged`: they start knowing each other. */
  readonly start: 'join' | 'converged';
  /** Called about once per simulated second. */
  readonly onProgress?: (simulatedMs: number, durationMs: number) => void;
}

/** Members start at random times within this window, each joining through earlier ones. */
const JOIN_WINDOW_MS = 1000;
const SEEDS_PER_JOIN = 3;
const STEP_MS = 100;

/** Wall time between yields to the event loop, so a long run never starves its host (vitest, a progress display). */
const YIELD_EVERY_MS = 200;

/** Runs one simulated cluster through its fault plan and measures it. The result depends only on the options. */
export async function runScenario(options: ScenarioOptions): Promise<SimulationReport> {
  const wallStart = performance.now();
  const random = seededRandom(options.seed ^ 0x51ed);
  const sim = new Simulation({
    seed: options.seed,
    protocol: options.protocol,
    lossRate: options.lossRate,
    latencyMs: options.latencyMs,
  });
  const names = Array.from({ length: options.nodes }, (_, i) => `node-${String(i).padStart(5, '0')}`);
  const plan = planFaults(options, names, random);
  const judge = new Judge(plan);
  const tracker = new ConvergenceTracker(sim, names.length);
  sim.onEvent((observer, event, atMs) => {
    if (event.type !== 'member-changed' || event.previous === event.member.status) return;
    tracker.onChange(observer, event.member.name, event.previous, event.member.status);
    judge.onChange(observer, event.member.name, event.member.status, atMs, event.member.statusFrom === observer);
  });

  if (options.start === 'join') {
    scheduleJoins(sim, names, random, tracker);
  } else {
    for (const name of names) tracker.onStart(name);
    sim.addConvergedMembers(names);
  }
  sim.at(options.faultAtMs, () => {
    for (const name of plan.crashed) {
      sim.crash(name);
      tracker.onCrash(name);
    }
    judge.crashedAtMs = sim.nowMs;
    judge.liveObservers = names.length - plan.crashed.size;
    for (const name of plan.paused) sim.pause(name, options.pause?.durationMs ?? 0);
    if (options.partition !== null) cut(sim, plan.cutOff, options.partition.oneWay);
  });
  const partitionEndMs = options.partition === null ? null : options.faultAtMs + options.partition.durationMs;
  if (partitionEndMs !== null) sim.at(partitionEndMs, () => sim.setLinkFilter(undefined));

  let convergenceMs: number | null = null;
  let healedMs: number | null = null;
  let nextProgressMs = 0;
  let lastYield = performance.now();
  // Traffic is measured from convergence on: the join storm is a one-off, not the running cost.
  let trafficBase = trafficSnapshot(sim, []);
  while (sim.nowMs < options.durationMs) {
    sim.runFor(Math.min(STEP_MS, options.durationMs - sim.nowMs));
    if (convergenceMs === null && sim.nowMs <= options.faultAtMs && tracker.converged()) {
      convergenceMs = sim.nowMs;
      trafficBase = trafficSnapshot(sim, names);
    }
    if (partitionEndMs !== null && healedMs === null && sim.nowMs >= partitionEndMs && tracker.converged()) {
      healedMs = sim.nowMs - partitionEndMs;
    }
    if (sim.nowMs >= nextProgressMs) {
      options.onProgress?.(sim.nowMs, options.durationMs);
      nextProgressMs += 1000;
    }
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  const live = names.filter((name) => !plan.crashed.has(name));
  return {
    nodes: options.nodes,
    seed: options.seed,
    profile: options.profile,
    lossRate: options.lossRate,
    simulatedMs: sim.nowMs,
    wallMs: Math.round(performance.now() - wallStart),
    convergenceMs,
    crashes: judge.crashReports(),
    detection: judge.detectionSummary(),
    falseFailures: judge.falseFailures.size,
    falseSuspicions: judge.falseSuspicions.size,
    falseSuspicionsOriginated: judge.falseSuspicionsOriginated,
    pausedFailures: judge.pausedFailures.size,
    healedMs,
    perNode: trafficPerNode(sim, live, trafficBase, sim.nowMs - (convergenceMs ?? 0)),
    decodeFailures: sim.decodeFailures,
    expected: expectedFigures(options.protocol, options.nodes, options.lossRate, options.durationMs),
  };
}

interface FaultPlan {
  readonly crashed: ReadonlySet<NodeName>;
  readonly paused: ReadonlySet<NodeName>;
  readonly cutOff: ReadonlySet<NodeName>;
}

/** Crash, pause and partition sets, drawn by seed; crashed and paused members are disjoint. */
function planFaults(options: ScenarioOptions, names: readonly NodeName[], random: Random): FaultPlan {
  const order = shuffle(random, [...names]);
  const crashed = new Set(order.slice(0, options.crash));
  const pauseCount = options.pause?.count ?? 0;
  const paused = new Set(order.slice(options.crash, options.crash + pauseCount));
  const cutCount = options.partition === null ? 0 : Math.round(options.partition.fraction * names.length);
  const cutOff = new Set(shuffle(random, [...names]).slice(0, cutCount));
  return { crashed, paused, cutOff };
}

function scheduleJoins(sim: Simulation, names: readonly NodeName[], random: Random, tracker: ConvergenceTracker): void {
  const startTimes = names.map((_, i) => (i === 0 ? 0 : randomInt(random, JOIN_WINDOW_MS)));
  const order = names.map((name, i) => ({ name, atMs: startTimes[i] ?? 0 })).sort((a, b) => a.atMs - b.atMs);
  order.forEach(({ name, atMs }, index) => {
    const earlier = order.slice(0, index);
    const seeds = earlier.length <= SEEDS_PER_JOIN ? earlier : sampleSeeds(random, earlier, SEEDS_PER_JOIN);
    sim.at(atMs, () => {
      sim.addMember(name, seeds.map((s) => s.name));
      tracker.onStart(name);
    });
  });
}

function sampleSeeds<T>(random: Random, items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(randomInt(random, items.length));
  return [...chosen].map((i) => items[i] as T);
}

function cut(sim: Simulation, cutOff: ReadonlySet<NodeName>, oneWay: boolean): void {
  sim.setLinkFilter((from, to) => {
    const fromCut = cutOff.has(from);
    const toCut = cutOff.has(to);
    if (fromCut === toCut) return true;
    return oneWay && !fromCut;
  });
}

/** Classifies every suspicion and failure an observer records, per the report's definitions. */
class Judge {
  crashedAtMs = 0;
  liveObservers = 0;
  readonly falseFailures = new Set<string>();
  readonly falseSuspicions = new Set<string>();
  readonly pausedFailures = new Set<string>();
  falseSuspicionsOriginated = 0;
  private readonly detections = new Map<NodeName, { firstMs: number | null; allMs: number | null; by: Set<NodeName> }>();

  constructor(private readonly plan: FaultPlan) {
    for (const name of plan.crashed) this.detections.set(name, { firstMs: null, allMs: null, by: new Set() });
  }

  onChange(observer: NodeName, subject: NodeName, status: MemberStatus, atMs: number, originated: boolean): void {
    if (status !== 'suspect' && status !== 'failed') return;
    if (this.plan.crashed.has(subject)) {
      if (status === 'failed') this.detected(subject, observer, atMs);
      return;
    }
    const pair = `${observer}>${subject}`;
    if (this.plan.paused.has(subject)) {
      if (status === 'failed') this.pausedFailures.add(pair);
      return;
    }
    if (this.plan.cutOff.has(subject) !== this.plan.cutOff.has(observer)) return;
    (status === 'failed' ? this.falseFailures : this.falseSuspicions).add(pair);
    if (status === 'suspect' && originated) this.falseSuspicionsOriginated++;
  }

  private detected(subject: NodeName, observer: NodeName, atMs: number): void {
    const detection = this.detections.get(subject);
    if (detection === undefined || this.plan.crashed.has(observer) || detection.by.has(observer)) return;
    detection.by.add(observer);
    detection.firstMs ??= atMs - this.crashedAtMs;
    if (detection.by.size === this.liveObservers) detection.allMs = atMs - this.crashedAtMs;
  }

  crashReports(): CrashReport[] {
    return [...this.detections].map(([name, d]) => ({
      name,
      atMs: this.crashedAtMs,
      firstDetectMs: d.firstMs === null ? null : Math.round(d.firstMs),
      allDetectMs: d.allMs === null ? null : Math.round(d.allMs),
    }));
  }

  detectionSummary(): SimulationReport['detection'] {
    const reports = this.crashReports();
    const first = reports.map((r) => r.firstDetectMs).filter((v): v is number => v !== null);
    const all = reports.map((r) => r.allDetectMs).filter((v): v is number => v !== null);
    return { firstP50Ms: percentile(first, 0.5), firstMaxMs: max(first), allP50Ms: percentile(all, 0.5), allMaxMs: max(all) };
  }
}

type TrafficSnapshot = ReadonlyMap<NodeName, { readonly packetsSent: number; readonly bytesSent: number }>;

function trafficSnapshot(sim: Simulation, names: readonly NodeName[]): TrafficSnapshot {
  return new Map(names.map((name) => [name, sim.traffic(name)]));
}

function trafficPerNode(
  sim: Simulation,
  live: readonly NodeName[],
  base: TrafficSnapshot,
  windowMs: number,
): SimulationReport['perNode'] {
  const seconds = Math.max(1, windowMs) / 1000;
  const packets = live.map((name) => (sim.traffic(name).packetsSent - (base.get(name)?.packetsSent ?? 0)) / seconds);
  const bytes = live.map((name) => (sim.traffic(name).bytesSent - (base.get(name)?.bytesSent ?? 0)) / seconds);
  return { msgsSentPerSec: spread(packets), bytesSentPerSec: spread(bytes) };
}

function spread(values: readonly number[]): Spread {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return { mean: round1(mean), max: round1(max(values) ?? 0) };
}

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
}

function max(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
