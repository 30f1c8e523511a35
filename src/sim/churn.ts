import { shuffle, type Random } from '../protocol/random.js';
import type { Simulation } from './simulation.js';

const MINUTE_MS = 60_000;

export interface ChurnPlan {
  /** Who restarts, in turn: every eligible member once before anyone restarts twice. */
  readonly order: readonly string[];
  /** When the restarts happen, evenly spaced: (i + ½) × 60 s / (rate × nodes). */
  readonly timesMs: readonly number[];
}

export const NO_CHURN: ChurnPlan = { order: [], timesMs: [] };

/**
 * `--churn R`: R × nodes restarts per simulated minute, spread evenly over the run, the
 * members in an order drawn by seed from `eligible` (from the plan's own random stream).
 */
export function planChurn(ratePerMinute: number, nodes: number, eligible: readonly string[], runMs: number, random: Random): ChurnPlan {
  const perMinute = ratePerMinute * nodes;
  if (perMinute <= 0 || eligible.length === 0) return NO_CHURN;
  const intervalMs = MINUTE_MS / perMinute;
  const timesMs: number[] = [];
  for (let i = 0; (i + 0.5) * intervalMs < runMs; i++) timesMs.push(Math.round((i + 0.5) * intervalMs));
  return { order: shuffle(random, [...eligible]), timesMs };
}

interface Recovery {
  readonly name: string;
  readonly restartMs: number;
  readonly incarnation: number;
  /** Running members that have not yet had it alive with its new incarnation. */
  readonly unconfirmed: Set<string>;
  recoveryMs: number | null;
}

/**
 * Follows each restart until every running member has had the member alive with its new
 * incarnation: that is its recovery, and until then its restart window, in which observers
 * may rightly suspect or fail it. Checked by polling (an alive record that only gains an
 * incarnation raises no event), each observer once, so the cost falls as confirmations come in.
 */
export class RestartTracker {
  private readonly open = new Map<string, Recovery>();
  private readonly all: Recovery[] = [];

  get count(): number {
    return this.all.length;
  }

  /** Whether every restart so far has been seen back by every running member. */
  allRecovered(): boolean {
    return this.open.size === 0;
  }

  /** Whether `name` restarted and some running member has not yet seen it back. */
  inWindow(name: string): boolean {
    return this.open.has(name);
  }

  /** `name` just restarted with `incarnation`; `observers` are the other running members. */
  onRestart(name: string, atMs: number, incarnation: number, observers: Iterable<string>): void {
    // A restart before the previous one recovered: that one never did.
    this.open.delete(name);
    // Its new table has to learn of every member still being followed.
    for (const recovery of this.open.values()) recovery.unconfirmed.add(name);
    const unconfirmed = new Set(observers);
    unconfirmed.delete(name);
    const recovery: Recovery = { name, restartMs: atMs, incarnation, unconfirmed, recoveryMs: null };
    this.open.set(name, recovery);
    this.all.push(recovery);
  }

  /** A member started (joined) while restarts were being followed: it must see them too. */
  onStart(name: string): void {
    for (const recovery of this.open.values()) if (recovery.name !== name) recovery.unconfirmed.add(name);
  }

  /** A crashed member is no longer an observer. */
  onCrash(name: string): void {
    for (const recovery of this.open.values()) recovery.unconfirmed.delete(name);
  }

  poll(sim: Simulation): void {
    for (const recovery of this.open.values()) {
      for (const observer of recovery.unconfirmed) {
        const seen = sim.memberAsSeenBy(observer, recovery.name);
        if (seen?.status === 'alive' && seen.incarnation >= recovery.incarnation) recovery.unconfirmed.delete(observer);
      }
      if (recovery.unconfirmed.size > 0) continue;
      recovery.recoveryMs = sim.nowMs - recovery.restartMs;
      this.open.delete(recovery.name);
    }
  }

  /** Each restart's recovery time in ms, null for one that never recovered. */
  recoveries(): Array<number | null> {
    return this.all.map((recovery) => (recovery.recoveryMs === null ? null : Math.round(recovery.recoveryMs)));
  }
}
