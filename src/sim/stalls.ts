import { randomInt, shuffle, type Random } from '../protocol/random.js';

/** `--stall FRACTION:DURATION:EVERY`: members that freeze briefly, over and over (GC pauses, a busy event loop, a VM steal). */
export interface StallFault {
  /** Fraction of all members that stall, drawn by seed among those that neither crash nor pause. */
  readonly fraction: number;
  /** How long each stall freezes a member, in ms; shorter than everyMs. */
  readonly durationMs: number;
  /** Each stalling member freezes once per this period, in ms, at its own phase drawn by seed. */
  readonly everyMs: number;
}

export interface Stall {
  readonly name: string;
  readonly atMs: number;
}

export interface StallPlan {
  readonly members: ReadonlySet<string>;
  /** Every stall of the run, earliest first. */
  readonly stalls: readonly Stall[];
}

export const NO_STALLS: StallPlan = { members: new Set(), stalls: [] };

/**
 * Which members stall and when: round(fraction × nodes) of `eligible`, each from a phase in
 * [0, everyMs) then every everyMs until the end of the run. `random` is the plan's own stream,
 * so adding stalls leaves every other draw of the run unchanged.
 */
export function planStalls(fault: StallFault, nodes: number, eligible: readonly string[], runMs: number, random: Random): StallPlan {
  const count = Math.min(eligible.length, Math.round(fault.fraction * nodes));
  const members = shuffle(random, [...eligible]).slice(0, count);
  const stalls: Stall[] = [];
  for (const name of members) {
    for (let atMs = randomInt(random, fault.everyMs); atMs < runMs; atMs += fault.everyMs) stalls.push({ name, atMs });
  }
  stalls.sort((a, b) => a.atMs - b.atMs);
  return { members: new Set(members), stalls };
}
