import type { Logger } from 'pino';
import { addressKey, type Address } from '../protocol/types.js';
import type { ResolvedSeeds } from './seeds.js';

export interface SeedWatchDeps {
  /** The seeds as configured ("host:port"), names not yet resolved. */
  readonly addrs: readonly string[];
  readonly resolve: (addrs: readonly string[]) => Promise<ResolvedSeeds>;
  /** Starts a retrying join through these addresses (the core then retries them with backoff). */
  readonly join: (seeds: readonly Address[]) => void;
  /** Whether this agent knows no live member but itself: only then are seeds needed. */
  readonly alone: () => boolean;
  readonly log: Logger;
  /** First re-resolution delay, doubled each time up to maxDelayMs. Defaults: 1 s and 30 s. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Keeps the start-up seeds fresh while the agent is alone. The core retries a join with
 * backoff, but with the addresses it was given; a seed name may not resolve yet, or resolve
 * to stale addresses (a Kubernetes headless service while pods start or move). So on the same
 * backoff (1 s, 2 s, … 30 s) the names are resolved again, and whenever the set of addresses
 * changed, the join restarts with the new set. Once the agent has company it only checks,
 * every maxDelayMs, whether it is alone again (say, after everyone else failed).
 */
export class SeedWatch {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  /** The address set last handed to join(), as sorted keys; null before the first. */
  private joinedKey: string | null = null;
  private lastProblems = '';
  private stopped = false;

  constructor(private readonly deps: SeedWatchDeps) {
    this.baseDelayMs = deps.baseDelayMs ?? 1000;
    this.maxDelayMs = deps.maxDelayMs ?? 30_000;
    this.delayMs = this.baseDelayMs;
  }

  start(): void {
    void this.check(true);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async check(first: boolean): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    if (!first && !this.deps.alone()) {
      this.delayMs = this.baseDelayMs;
      this.schedule(this.maxDelayMs);
      return;
    }
    let resolved: ResolvedSeeds;
    try {
      resolved = await this.deps.resolve(this.deps.addrs);
    } catch (error) {
      // Only a malformed seed throws, and that will not get better: config validation missed it.
      this.deps.log.error({ err: (error as Error).message, seeds: this.deps.addrs }, 'cannot resolve the seeds to join');
      return;
    }
    if (this.stopped) return;
    this.report(resolved.problems);
    const key = resolved.seeds.map(addressKey).sort().join(' ');
    if (resolved.seeds.length > 0 && key !== this.joinedKey) {
      if (this.joinedKey !== null) {
        this.deps.log.info({ seeds: resolved.seeds.map(addressKey) }, 'seed addresses changed: joining through the new ones');
      }
      this.joinedKey = key;
      this.deps.join(resolved.seeds);
    }
    this.schedule(this.delayMs);
    this.delayMs = Math.min(this.maxDelayMs, this.delayMs * 2);
  }

  /** Logs resolution problems when they change, not on every retry. */
  private report(problems: readonly string[]): void {
    const text = problems.join('; ');
    if (text === this.lastProblems) return;
    this.lastProblems = text;
    if (text !== '') this.deps.log.warn({ problems, seeds: this.deps.addrs }, 'some seeds give no address to join yet; retrying');
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.check(false), delayMs);
    this.timer.unref();
  }
}
