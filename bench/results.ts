// The shape of bench/results/*.json: every figure, the settings, the machine and its load.
import type { Mode, System } from './cluster.js';
import type { LoadSnapshot, Machine } from './report/machine.js';
import type { ConvergeResult } from './scenarios/converge.js';
import type { CrashResult } from './scenarios/crash.js';
import type { LeaveResult } from './scenarios/leave.js';
import type { LossResult } from './scenarios/loss.js';
import type { PauseResult } from './scenarios/pause.js';
import type { QueryResult } from './scenarios/query.js';
import type { SteadyResult } from './scenarios/steady.js';
import type { Quiet } from './quiet.js';
import type { Settings } from './settings.js';

export interface ClusterResult {
  readonly system: System;
  readonly mode: Mode;
  readonly members: number;
  readonly loadAtStart: LoadSnapshot;
  /** The wait for a quiet machine before the cluster started (absent: skipped clusters). */
  quietStart?: Quiet;
  loadAtEnd?: LoadSnapshot;
  durationS?: number;
  /** Why this cluster was not run (not installed, machine too small…). */
  skipped?: string;
  /** What stopped this cluster's scenarios early. */
  error?: string;
  converge?: ConvergeResult;
  steady?: SteadyResult;
  query?: QueryResult;
  crash?: CrashResult;
  pause?: PauseResult;
  loss?: LossResult;
  leave?: LeaveResult;
}

export interface CapacityAttempt {
  readonly agents: number;
  readonly loadAtStart: LoadSnapshot;
  readonly quietStart: Quiet;
  loadAtEnd?: LoadSnapshot;
  converge?: ConvergeResult;
  /** The stability window before the last --steady-seconds: zero false failures over both is "stable". */
  window?: SteadyResult;
  /** The last --steady-seconds of the stability window: the steady-state figures. */
  steady?: SteadyResult;
  /** GET /v1/members of an in-process agent (its event loop shared with all the others). */
  query?: QueryResult;
  /** GET /v1/members of one `gossipd agent` process joined to the in-process cluster. */
  processQuery?: QueryResult & { readonly fullViewMs: number | null };
  crash?: CrashResult;
  stable: boolean;
  error?: string;
}

export interface CapacityResult {
  readonly goal: number;
  readonly windowS: number;
  readonly attempts: CapacityAttempt[];
  /** The largest agent count that stayed stable, if any. */
  stableAgents: number | null;
}

export interface TargetCheck {
  readonly target: string;
  readonly members: number | null;
  readonly ours: string;
  readonly serf: string;
  /** null: not measurable in this run. */
  readonly met: boolean | null;
}

export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  finishedAt?: string;
  readonly argv: readonly string[];
  readonly settings: Settings;
  readonly machine: Machine;
  readonly serf: { readonly version: string | null; readonly note: string };
  readonly clusters: ClusterResult[];
  capacity: CapacityResult | null;
  targets: TargetCheck[];
}
