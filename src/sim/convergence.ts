import type { MemberStatus } from '../protocol/types.js';
import type { Simulation } from './simulation.js';

/**
 * Knows, in O(1), whether all members have started and every running member sees every other
 * running member alive. Counts per observer how many running members it sees alive, updated
 * from status-change events, so checking after every simulated step costs nothing even at
 * 10,000 members.
 */
export class ConvergenceTracker {
  private readonly running = new Set<string>();
  private readonly aliveSeenBy = new Map<string, number>();
  private complete = 0;
  private started = 0;

  constructor(
    private readonly sim: Simulation,
    /** Members the run starts in all: the few that started first trivially agree, which is not convergence. */
    private readonly members: number,
  ) {}

  onStart(name: string): void {
    this.started++;
    this.running.add(name);
    this.aliveSeenBy.set(name, 0);
    this.recount();
  }

  onChange(observer: string, subject: string, previous: MemberStatus | null, status: MemberStatus): void {
    if (observer === subject || !this.running.has(observer) || !this.running.has(subject)) return;
    const wasAlive = previous === 'alive';
    const isAlive = status === 'alive';
    if (wasAlive === isAlive) return;
    const target = this.running.size - 1;
    const before = this.aliveSeenBy.get(observer) ?? 0;
    const after = before + (isAlive ? 1 : -1);
    this.aliveSeenBy.set(observer, after);
    if (before === target) this.complete--;
    if (after === target) this.complete++;
  }

  /** A crashed member no longer counts as an observer, nor as someone to be seen. */
  onCrash(name: string): void {
    if (!this.running.delete(name)) return;
    this.aliveSeenBy.delete(name);
    for (const observer of this.running) {
      if (this.sim.statusOf(observer, name) === 'alive') {
        this.aliveSeenBy.set(observer, (this.aliveSeenBy.get(observer) ?? 0) - 1);
      }
    }
    this.recount();
  }

  /**
   * A member crashed and started again at once: it stays running and seen by others as they
   * see it, but its new table starts empty and fills up through its own events.
   */
  onRestart(name: string): void {
    if (!this.running.has(name)) return;
    this.aliveSeenBy.set(name, 0);
    this.recount();
  }

  /** Whether `name` has started and not crashed. */
  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Running members, in the order they started. */
  runningNames(): string[] {
    return [...this.running];
  }

  /** (observer, member) pairs of running members in which the observer does not have the member alive. */
  notSeenAlive(): number {
    const target = this.running.size - 1;
    let missing = 0;
    for (const count of this.aliveSeenBy.values()) missing += target - count;
    return missing;
  }

  converged(): boolean {
    return this.started >= this.members && this.complete === this.running.size;
  }

  private recount(): void {
    const target = this.running.size - 1;
    this.complete = 0;
    for (const count of this.aliveSeenBy.values()) if (count === target) this.complete++;
  }
}
