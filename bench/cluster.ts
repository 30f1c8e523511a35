// The one interface every system under test implements: gossipd in one process, gossipd as one
// process per agent, and Serf. Scenarios only talk to this.
import type { ViewTracker } from './tracker.js';

export type System = 'gossipd' | 'serf';
export type Mode = 'in-process' | 'multi-process';

/** Cumulative resource use of the running agents. */
export interface Usage {
  /** User + system CPU time, ms, summed over the agents (in-process: the whole bench process). */
  readonly cpuMs: number;
  /** RSS of each agent process, bytes (in-process: one entry, the whole process). */
  readonly rssBytes: readonly number[];
  /** The agents' own send counters, where they can be read (in-process gossipd only). */
  readonly sent: { readonly datagrams: number; readonly bytes: number; readonly beforeLoss: number } | null;
}

/** How a cluster starts many agents: this many starts in flight, then a pause. */
export interface Pacing {
  readonly concurrent: number;
  readonly pauseMs: number;
}

export interface Cluster {
  readonly system: System;
  readonly mode: Mode;
  readonly tracker: ViewTracker;
  readonly pacing: Pacing;
  /** Running agents; the first one is the seed and the one queried over HTTP. */
  live(): readonly string[];
  /** Starts one more agent, joining through a random running one; resolves with its name once it runs. */
  add(): Promise<string>;
  /** Abrupt stop, as a crash: SIGKILL, or closing the sockets without a word. */
  crash(name: string): Promise<void>;
  /** Freezes for `ms` and resolves when thawed; returns what was frozen. */
  pause(name: string, ms: number): Promise<string>;
  /** Starts a graceful leave (does not wait for it). */
  leave(name: string): void;
  /** Injects this fraction of packet loss (0 to stop); resolves with how, or null if it cannot. */
  setLoss(fraction: number): Promise<string | null>;
  usage(): Usage;
  /** Whether every agent's dissemination queue is empty; null when the agents cannot be asked. */
  quiet(): boolean | null;
  /** GET /v1/members of the first agent, where the system has it. */
  membersUrl(): string | null;
  /** A command that lists the members through the first agent, as an operator would. */
  membersCommand(): { readonly command: string; readonly args: readonly string[] };
  close(): Promise<void>;
}

/** A random element, for picking seeds and victims. */
export function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
