// What every observer believes about every member, rebuilt from the agents' own membership
// events (our JSON logs, Serf's log lines). The scenarios read times from here, never poll HTTP.

export type ViewStatus = 'alive' | 'suspect' | 'failed' | 'left';

/** A change away from `alive` (or back to it after one), as one observer saw it. */
export interface Transition {
  readonly observer: string;
  readonly member: string;
  readonly to: ViewStatus;
  /** performance.now() in the bench process when the event arrived. */
  readonly atMs: number;
}

/** A suspicion this observer raised itself (not one it heard about). */
export interface Suspicion {
  readonly observer: string;
  readonly member: string;
  readonly atMs: number;
}

export class ViewTracker {
  readonly transitions: Transition[] = [];
  readonly suspicions: Suspicion[] = [];
  /** A member refuted an accusation about itself: one false suspicion (or failure) it answered. */
  readonly refutations: Array<{ readonly member: string; readonly atMs: number }> = [];
  /** Missed probes an agent did not turn into suspicions because its own event loop had stalled. */
  gatedProbes = 0;
  private readonly views = new Map<string, Map<string, ViewStatus>>();
  private readonly aliveCounts = new Map<string, number>();
  private readonly lastAliveAtMs = new Map<string, number>();

  /** Starts following an observer (a running agent). */
  addObserver(observer: string): void {
    if (!this.views.has(observer)) {
      this.views.set(observer, new Map());
      this.aliveCounts.set(observer, 0);
    }
  }

  /** Stops following an observer (crashed, left or stopped): its events no longer count. */
  removeObserver(observer: string): void {
    this.views.delete(observer);
    this.aliveCounts.delete(observer);
    this.lastAliveAtMs.delete(observer);
  }

  observe(observer: string, member: string, to: ViewStatus | 'gone', atMs: number): void {
    const view = this.views.get(observer);
    if (view === undefined || member === observer) return;
    const from = view.get(member);
    if (from === to) return;
    if (from === 'alive') this.aliveCounts.set(observer, (this.aliveCounts.get(observer) ?? 1) - 1);
    if (to === 'gone') {
      view.delete(member);
      return;
    }
    view.set(member, to);
    if (to === 'alive') {
      this.aliveCounts.set(observer, (this.aliveCounts.get(observer) ?? 0) + 1);
      this.lastAliveAtMs.set(observer, atMs);
    }
    if (to !== 'alive' || (from !== undefined && from !== 'alive')) this.transitions.push({ observer, member, to, atMs });
  }

  suspicionRaised(observer: string, member: string, atMs: number): void {
    if (this.views.has(observer)) this.suspicions.push({ observer, member, atMs });
  }

  refuted(member: string, atMs: number): void {
    if (this.views.has(member)) this.refutations.push({ member, atMs });
  }

  statusOf(observer: string, member: string): ViewStatus | undefined {
    return this.views.get(observer)?.get(member);
  }

  /** How many other members this observer sees alive. */
  aliveOthers(observer: string): number {
    return this.aliveCounts.get(observer) ?? 0;
  }

  /** Every given observer sees every other given member alive (by count: cheap at 1,000). */
  converged(live: readonly string[]): boolean {
    return live.every((observer) => this.aliveOthers(observer) === live.length - 1);
  }

  /** When the last of these observers saw its last member come alive: the convergence time once converged. */
  lastAliveAt(live: readonly string[]): number {
    return Math.max(...live.map((observer) => this.lastAliveAtMs.get(observer) ?? 0));
  }

  /** Every observer in `live` (other than `member`) sees `member` with this status. */
  allSee(live: readonly string[], member: string, status: ViewStatus): boolean {
    return live.every((observer) => observer === member || this.statusOf(observer, member) === status);
  }
}
