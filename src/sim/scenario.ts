import type { ProfileName, ProtocolOptions } from '../protocol/options.js';
import { randomInt, seededRandom, shuffle, type Random } from '../protocol/random.js';
import type { MemberStatus } from '../protocol/types.js';
import { NO_CHURN, planChurn, RestartTracker, type ChurnPlan } from './churn.js';
import { expectedFigures } from './expected.js';
import { ConvergenceTracker } from './convergence.js';
import { coordinateError } from './coordinate-error.js';
import { RegionLatency } from './latency.js';
import type { CoordinateErrorAt, CrashReport, SimulationReport, Spread } from './report.js';
import { mix, Simulation, type SimulationWire } from './simulation.js';
import { NO_STALLS, planStalls, type StallFault, type StallPlan } from './stalls.js';

export type { StallFault } from './stalls.js';

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
  /** How datagrams travel in the simulated network (Simulation's wire). Default `codec`. */
  readonly wire?: SimulationWire;
  readonly latencyMs: readonly [number, number];
  /** Members that crash at faultAtMs. */
  readonly crash: number;
  readonly pause: PauseFault | null;
  readonly partition: PartitionFault | null;
  readonly faultAtMs: number;
  /** Members that freeze for a while, again and again, over the whole run. Default none. */
  readonly stall?: StallFault | null;
  /** Fraction of the members restarted (crashed and started again at once) per simulated minute. Default 0. */
  readonly churn?: number;
  /**
   * Fraction of the members restarted all at once at faultAtMs (a mass restart): crashed and
   * started again at once, same name and address, a new incarnation. Default 0.
   */
  readonly restart?: number;
  /**
   * Regions of the latency model (latency.ts: 1–2 ms round trips inside a region, 30–80 ms
   * between, fixed per pair): set, it replaces latencyMs and the report measures the network
   * coordinates against it (coordinateError). Default none.
   */
  readonly regions?: number;
  /** With regions: also measure the coordinate error at these simulated times, in ms (coordinateErrorOverTime). */
  readonly coordinateErrorAtMs?: readonly number[];
  /** `join`: members start within the first second and join through earlier ones. `converged`: they start knowing each other. */
  readonly start: 'join' | 'converged';
  /** Called about once per simulated second. */
  readonly onProgress?: (simulatedMs: number, durationMs: number) => void;
}

/** Members start at random times within this window, each joining through earlier ones. */
const JOIN_WINDOW_MS = 1000;
const SEEDS_PER_JOIN = 3;
const STEP_MS = 100;
/** Stalls and churn draw from streams of their own, so that adding them changes no other draw of a run. */
const STALL_STREAM = 0x57a11;
const CHURN_PLAN_STREAM = 0xc4247;
const CHURN_SEEDS_STREAM = 0xc4248;
const RESTART_STREAM = 0x2e57a;

/** Wall time between yields to the event loop, so a long run never starves its host (vitest, a progress display). */
const YIELD_EVERY_MS = 200;

/** Runs one simulated cluster through its fault plan and measures it. The result depends only on the options. */
export async function runScenario(options: ScenarioOptions): Promise<SimulationReport> {
  const wallStart = performance.now();
  const random = seededRandom(options.seed ^ 0x51ed);
  const regions = options.regions === undefined ? undefined : new RegionLatency({ seed: options.seed, regions: options.regions });
  const sim = new Simulation({
    seed: options.seed,
    protocol: options.protocol,
    lossRate: options.lossRate,
    latencyMs: options.latencyMs,
    wire: options.wire ?? 'codec',
    ...(regions === undefined ? {} : { latency: regions.latency }),
  });
  const names = Array.from({ length: options.nodes }, (_, i) => `node-${String(i).padStart(5, '0')}`);
  const plan = planFaults(options, names, random);
  const restarts = new RestartTracker();
  const judge = new Judge(plan, restarts);
  const tracker = new ConvergenceTracker(sim, names.length);
  const massRestart = new MassRestart(plan.restarted);
  sim.onEvent((observer, event, atMs) => {
    if (event.type !== 'member-changed' || event.previous === event.member.status) return;
    massRestart.onChange(observer, event.member.name, event.member.status);
    tracker.onChange(observer, event.member.name, event.previous, event.member.status);
    judge.onChange(observer, event.member.name, event.member.status, atMs, event.member.statusFrom === observer);
  });

  if (options.start === 'join') {
    scheduleJoins(sim, names, random, (name) => {
      tracker.onStart(name);
      restarts.onStart(name);
    });
  } else {
    for (const name of names) tracker.onStart(name);
    sim.addConvergedMembers(names);
  }
  // Setting up a converged cluster is one synchronous step: take its memory before the first
  // run step lets the collector tidy up after it.
  const setupMemoryBytes = process.memoryUsage.rss();
  sim.at(options.faultAtMs, () => {
    for (const name of plan.crashed) {
      sim.crash(name);
      tracker.onCrash(name);
      restarts.onCrash(name);
    }
    judge.crashedAtMs = sim.nowMs;
    judge.liveObservers = names.length - plan.crashed.size;
    for (const name of plan.paused) sim.pause(name, options.pause?.durationMs ?? 0);
    massRestart.run(sim, tracker, restarts, seededRandom(mix(options.seed, RESTART_STREAM ^ 1)));
    if (options.partition !== null) cut(sim, plan.cutOff, options.partition.oneWay);
  });
  const partitionEndMs = options.partition === null ? null : options.faultAtMs + options.partition.durationMs;
  if (partitionEndMs !== null) sim.at(partitionEndMs, () => sim.setLinkFilter(undefined));
  const stalls = scheduleStalls(sim, plan.stalls, options.stall?.durationMs ?? 0, tracker);
  const measureCoordinates = (): CoordinateErrorAt | undefined => {
    if (regions === undefined) return undefined;
    const running = names.filter((name) => tracker.isRunning(name));
    return { atMs: sim.nowMs, ...coordinateError(running, (name) => sim.core(name), (a, b) => regions.rttMs(a, b), (name) => regions.regionOf(name), options.seed) };
  };
  const coordinateErrorOverTime: CoordinateErrorAt[] = [];
  for (const atMs of regions === undefined ? [] : (options.coordinateErrorAtMs ?? [])) {
    if (atMs > options.durationMs) continue;
    sim.at(atMs, () => {
      const measured = measureCoordinates();
      if (measured !== undefined) coordinateErrorOverTime.push(measured);
    });
  }
  scheduleChurn(sim, plan.churn, seededRandom(mix(options.seed, CHURN_SEEDS_STREAM)), tracker, restarts);

  let convergenceMs: number | null = null;
  let healedMs: number | null = null;
  let peakMemoryBytes = Math.max(setupMemoryBytes, process.memoryUsage.rss());
  let nextProgressMs = 0;
  let lastYield = performance.now();
  // Traffic is measured from convergence on: the join storm is a one-off, not the running cost.
  let trafficBase = trafficSnapshot(sim, []);
  while (sim.nowMs < options.durationMs) {
    sim.runFor(Math.min(STEP_MS, options.durationMs - sim.nowMs));
    restarts.poll(sim);
    peakMemoryBytes = Math.max(peakMemoryBytes, process.memoryUsage.rss());
    if (convergenceMs === null && sim.nowMs <= options.faultAtMs && tracker.converged()) {
      convergenceMs = sim.nowMs;
      trafficBase = trafficSnapshot(sim, names);
    }
    massRestart.poll(sim, tracker);
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
  const recoveries = restarts.recoveries();
  const finalCoordinateError = measureCoordinates();
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
    stalls: stalls.count,
    stallFailures: judge.stallFailures.size,
    restarts: restarts.count,
    restartsRecovered: recoveries.filter((ms) => ms !== null).length,
    restartRecoveryMs: { p50: percentileOrNever(recoveries, 0.5), max: percentileOrNever(recoveries, 1) },
    stuck: tracker.notSeenAlive(),
    massRestart: massRestart.report(),
    healedMs,
    ...partitionAfterHeal(judge, options, partitionEndMs, sim.nowMs),
    perNode: trafficPerNode(sim, live, trafficBase, sim.nowMs - (convergenceMs ?? 0)),
    fullStateTransfers: sim.fullStateTransfers,
    statePacketsSent: sim.statePacketsSent,
    peakMemoryBytes,
    decodeFailures: sim.decodeFailures,
    expected: expectedFigures(options.protocol, options.nodes, options.lossRate, options.durationMs),
    ...(finalCoordinateError === undefined
      ? {}
      : { regions: options.regions, coordinateError: finalCoordinateError, coordinateErrorOverTime }),
  };
}

/** Freezes each stalling member at its planned times, if it has started by then; returns how many stalls began. */
function scheduleStalls(sim: Simulation, stalls: StallPlan, durationMs: number, tracker: ConvergenceTracker): { count: number } {
  const done = { count: 0 };
  for (const stall of stalls.stalls) {
    sim.at(stall.atMs, () => {
      if (!tracker.isRunning(stall.name)) return;
      sim.pause(stall.name, durationMs);
      done.count++;
    });
  }
  return done;
}

/**
 * At each planned time, the next member in the churn order that is running crashes and
 * starts again at once (same name and address, a new incarnation from the virtual wall
 * clock), joining through up to SEEDS_PER_JOIN random running members.
 */
function scheduleChurn(sim: Simulation, churn: ChurnPlan, random: Random, tracker: ConvergenceTracker, restarts: RestartTracker): void {
  let next = 0;
  const pick = (): string | undefined => {
    for (let tried = 0; tried < churn.order.length; tried++) {
      const name = churn.order[next++ % churn.order.length];
      if (name !== undefined && tracker.isRunning(name)) return name;
    }
    return undefined;
  };
  for (const atMs of churn.timesMs) {
    sim.at(atMs, () => {
      const name = pick();
      if (name === undefined) return;
      const others = tracker.runningNames().filter((other) => other !== name);
      const seeds = others.length <= SEEDS_PER_JOIN ? others : sampleSeeds(random, others, SEEDS_PER_JOIN);
      sim.crash(name);
      sim.restart(name, seeds);
      tracker.onRestart(name);
      restarts.onRestart(name, sim.nowMs, sim.core(name).selfMember.incarnation, others);
    });
  }
}

interface FaultPlan {
  readonly crashed: ReadonlySet<string>;
  /** Members restarted all at once at faultAtMs (--restart). */
  readonly restarted: readonly string[];
  readonly paused: ReadonlySet<string>;
  readonly cutOff: ReadonlySet<string>;
  readonly stalls: StallPlan;
  readonly churn: ChurnPlan;
}

/**
 * Crash, pause and partition sets, drawn by seed from the scenario's stream; then stalls and
 * churn, each from a stream of its own (so that runs without them draw exactly as before).
 * Crashed, paused, stalling and restarting members are disjoint.
 */
function planFaults(options: ScenarioOptions, names: readonly string[], random: Random): FaultPlan {
  const order = shuffle(random, [...names]);
  const crashed = new Set(order.slice(0, options.crash));
  const pauseCount = options.pause?.count ?? 0;
  const paused = new Set(order.slice(options.crash, options.crash + pauseCount));
  const cutCount = options.partition === null ? 0 : Math.round(options.partition.fraction * names.length);
  const cutOff = new Set(shuffle(random, [...names]).slice(0, cutCount));
  const unfaulted = names.filter((name) => !crashed.has(name) && !paused.has(name));
  const stall = options.stall ?? null;
  const stalls = stall === null ? NO_STALLS : planStalls(stall, names.length, unfaulted, options.durationMs, seededRandom(mix(options.seed, STALL_STREAM)));
  const churnRate = options.churn ?? 0;
  const churnable = unfaulted.filter((name) => !stalls.members.has(name));
  const churn = churnRate === 0 ? NO_CHURN : planChurn(churnRate, names.length, churnable, options.durationMs, seededRandom(mix(options.seed, CHURN_PLAN_STREAM)));
  const restartCount = Math.round((options.restart ?? 0) * names.length);
  const restarted = restartCount === 0 ? [] : shuffle(seededRandom(mix(options.seed, RESTART_STREAM)), [...churnable]).slice(0, restartCount);
  return { crashed, restarted, paused, cutOff, stalls, churn };
}

function scheduleJoins(sim: Simulation, names: readonly string[], random: Random, onStart: (name: string) => void): void {
  const startTimes = names.map((_, i) => (i === 0 ? 0 : randomInt(random, JOIN_WINDOW_MS)));
  const order = names.map((name, i) => ({ name, atMs: startTimes[i] ?? 0 })).sort((a, b) => a.atMs - b.atMs);
  order.forEach(({ name, atMs }, index) => {
    const earlier = order.slice(0, index);
    const seeds = earlier.length <= SEEDS_PER_JOIN ? earlier : sampleSeeds(random, earlier, SEEDS_PER_JOIN);
    sim.at(atMs, () => {
      sim.addMember(name, seeds.map((s) => s.name));
      onStart(name);
    });
  });
}

function sampleSeeds<T>(random: Random, items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(randomInt(random, items.length));
  return [...chosen].map((i) => items[i] as T);
}

function cut(sim: Simulation, cutOff: ReadonlySet<string>, oneWay: boolean): void {
  sim.setLinkFilter((from, to) => {
    const fromCut = cutOff.has(from);
    const toCut = cutOff.has(to);
    if (fromCut === toCut) return true;
    return oneWay && !fromCut;
  });
}

/**
 * `--restart F`: F × nodes members crash and start again at once at faultAtMs, each joining
 * through SEEDS_PER_JOIN random running members (restarted ones included, as with static seed
 * lists). Measures until every running member has every member alive (the restarted ones as
 * they see fit: the new incarnation everywhere is the restarts' recovery), and how many
 * (observer, restarted member) pairs went through failed.
 */
class MassRestart {
  private atMs: number | null = null;
  private allAliveMs: number | null = null;
  private readonly failedPairs = new Set<string>();
  private readonly members: ReadonlySet<string>;

  constructor(restarted: readonly string[]) {
    this.members = new Set(restarted);
  }

  run(sim: Simulation, tracker: ConvergenceTracker, restarts: RestartTracker, random: Random): void {
    if (this.members.size === 0) return;
    this.atMs = sim.nowMs;
    const running = tracker.runningNames();
    for (const name of this.members) {
      if (!tracker.isRunning(name)) continue;
      const others = running.filter((other) => other !== name);
      sim.crash(name);
      sim.restart(name, others.length <= SEEDS_PER_JOIN ? others : sampleSeeds(random, others, SEEDS_PER_JOIN));
      tracker.onRestart(name);
      restarts.onRestart(name, sim.nowMs, sim.core(name).selfMember.incarnation, others);
    }
  }

  onChange(observer: string, subject: string, status: MemberStatus): void {
    if (this.atMs !== null && status === 'failed' && this.members.has(subject)) this.failedPairs.add(`${observer}>${subject}`);
  }

  poll(sim: Simulation, tracker: ConvergenceTracker): void {
    if (this.atMs === null || this.allAliveMs !== null) return;
    if (tracker.converged()) this.allAliveMs = sim.nowMs - this.atMs;
  }

  report(): SimulationReport['massRestart'] {
    if (this.members.size === 0) return null;
    return { members: this.members.size, allAliveMs: this.allAliveMs === null ? null : Math.round(this.allAliveMs), failedPairs: this.failedPairs.size };
  }
}

/** Classifies every suspicion and failure an observer records, per the report's definitions. */
class Judge {
  crashedAtMs = 0;
  liveObservers = 0;
  readonly falseFailures = new Set<string>();
  readonly falseSuspicions = new Set<string>();
  readonly pausedFailures = new Set<string>();
  /** The falseFailures pairs whose member is a stalling one. */
  readonly stallFailures = new Set<string>();
  falseSuspicionsOriginated = 0;
  private readonly detections = new Map<string, { firstMs: number | null; allMs: number | null; by: Set<string> }>();
  /**
   * Cross-side (observer, member) pairs of a partition, each with the last moment it stopped
   * being `failed` (Infinity while it still is). Failures across the cut are right while it
   * lasts, so onChange does not count them; what must not outlive the heal is judged at the
   * end, by partitionFailuresAfter.
   */
  private readonly crossFailedUntilMs = new Map<string, number>();

  constructor(
    private readonly plan: FaultPlan,
    private readonly restarts: RestartTracker,
  ) {
    for (const name of plan.crashed) this.detections.set(name, { firstMs: null, allMs: null, by: new Set() });
  }

  onChange(observer: string, subject: string, status: MemberStatus, atMs: number, originated: boolean): void {
    this.trackCrossSide(observer, subject, status, atMs);
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
    // From its crash until everyone has it alive again, a restarting member may rightly be suspected or failed.
    if (this.restarts.inWindow(subject)) return;
    if (this.plan.cutOff.has(subject) !== this.plan.cutOff.has(observer)) return;
    // A stalling member is not exempt: a stall shorter than the tolerance must never become a failure.
    (status === 'failed' ? this.falseFailures : this.falseSuspicions).add(pair);
    if (status === 'failed' && this.plan.stalls.members.has(subject)) this.stallFailures.add(pair);
    if (status === 'suspect' && originated) this.falseSuspicionsOriginated++;
  }

  /** Keeps crossFailedUntilMs for pairs of live members on opposite sides of the partition. */
  private trackCrossSide(observer: string, subject: string, status: MemberStatus, atMs: number): void {
    if (this.plan.cutOff.has(subject) === this.plan.cutOff.has(observer)) return;
    if (this.plan.crashed.has(subject) || this.plan.crashed.has(observer) || this.plan.paused.has(subject)) return;
    const pair = `${observer}>${subject}`;
    if (status === 'failed') {
      // A restarting member may rightly be failed: its restart window excuses it, as in onChange.
      if (!this.restarts.inWindow(subject)) this.crossFailedUntilMs.set(pair, Infinity);
    } else if (this.crossFailedUntilMs.get(pair) === Infinity) {
      this.crossFailedUntilMs.set(pair, atMs);
    }
  }

  /**
   * Cross-side false failures that remain after healing: (observer, member) pairs of live
   * members on opposite sides of the partition in which the observer had the member failed
   * at some moment after `afterMs` (the heal plus its bound): still failed then, or failed
   * anew later. Every one is a member seen dead that is alive and reachable again.
   */
  partitionFailuresAfter(afterMs: number): number {
    let count = 0;
    for (const untilMs of this.crossFailedUntilMs.values()) if (untilMs > afterMs) count++;
    return count;
  }

  private detected(subject: string, observer: string, atMs: number): void {
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

/**
 * How long after a partition ends every cross-side failure must be gone: two reconnect
 * intervals (every member retries a failed one each interval, with probability failed/alive;
 * one round trip settles a disputed member, and its refutation spreads in a few gossip rounds).
 */
export function partitionHealBoundMs(protocol: ProtocolOptions): number {
  return 2 * protocol.reconnectIntervalMs;
}

function partitionAfterHeal(
  judge: Judge,
  options: ScenarioOptions,
  partitionEndMs: number | null,
  endMs: number,
): Pick<SimulationReport, 'partitionHealBoundMs' | 'partitionFailuresAfterHeal'> {
  if (partitionEndMs === null) return { partitionHealBoundMs: null, partitionFailuresAfterHeal: null };
  const boundMs = partitionHealBoundMs(options.protocol);
  // A run that ends before the bound cannot tell a slow heal from a failed one.
  const afterMs = partitionEndMs + boundMs;
  return { partitionHealBoundMs: boundMs, partitionFailuresAfterHeal: endMs < afterMs ? null : judge.partitionFailuresAfter(afterMs) };
}

type TrafficSnapshot = ReadonlyMap<string, { readonly packetsSent: number; readonly bytesSent: number }>;

function trafficSnapshot(sim: Simulation, names: readonly string[]): TrafficSnapshot {
  return new Map(names.map((name) => [name, sim.traffic(name)]));
}

function trafficPerNode(
  sim: Simulation,
  live: readonly string[],
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

/** A percentile in which null (never) counts as longer than anything: null if it falls on a never. */
function percentileOrNever(values: ReadonlyArray<number | null>, p: number): number | null {
  if (values.length === 0) return null;
  const sorted = values.map((value) => value ?? Infinity).sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Infinity;
  return value === Infinity ? null : value;
}

function max(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
