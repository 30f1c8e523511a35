import type { NodeName } from './types.js';

/**
 * Lifeguard dynamic suspicion timeout (Lifeguard §IV-B; memberlist suspicion.go).
 * min = suspicionMult × max(1, log10(n)) × probeInterval, max = suspicionMaxTimeoutMult × min.
 * Each independent confirmation c out of k expected shrinks the timeout logarithmically:
 * timeout = max(min, max − (max − min) × log(c + 1) / log(k + 1)).
 */
export interface SuspicionBounds {
  readonly minMs: number;
  readonly maxMs: number;
  /** Confirmations expected (k): suspicionMult − 2, or 0 when the cluster is too small to give them. */
  readonly expectedConfirmations: number;
}

export function suspicionBounds(
  clusterSize: number,
  probeIntervalMs: number,
  suspicionMult: number,
  suspicionMaxTimeoutMult: number,
): SuspicionBounds {
  const minMs = suspicionMult * Math.max(1, Math.log10(Math.max(1, clusterSize))) * probeIntervalMs;
  const k = suspicionMult - 2;
  // The suspect itself and the originator cannot confirm: fewer than k others means no wait.
  const expectedConfirmations = clusterSize - 2 < k ? 0 : Math.max(0, k);
  return { minMs, maxMs: suspicionMaxTimeoutMult * minMs, expectedConfirmations };
}

export function suspicionTimeoutMs(bounds: SuspicionBounds, confirmations: number): number {
  const { minMs, maxMs, expectedConfirmations: k } = bounds;
  if (k < 1) return minMs;
  const fraction = Math.log(Math.min(confirmations, k) + 1) / Math.log(k + 1);
  return Math.max(minMs, Math.floor(maxMs - (maxMs - minMs) * fraction));
}

/** A running suspicion about one member at one incarnation. */
export class Suspicion {
  private readonly confirmers = new Set<NodeName>();
  /** Whether the suspect has been pinged once more before being declared failed. */
  finalCheckSent = false;

  constructor(
    readonly incarnation: number,
    readonly startedMs: number,
    readonly originator: NodeName,
    private readonly bounds: SuspicionBounds,
  ) {}

  /** Records a suspect message from `from`; true if it was a new independent confirmation. */
  confirm(from: NodeName): boolean {
    if (from === this.originator || this.confirmers.has(from)) return false;
    if (this.confirmers.size >= this.bounds.expectedConfirmations) return false;
    this.confirmers.add(from);
    return true;
  }

  get confirmations(): number {
    return this.confirmers.size;
  }

  /** Fewer confirmations than expected: nobody else sees what we see, so maybe we are the stale one. */
  get unconfirmed(): boolean {
    return this.confirmers.size < this.bounds.expectedConfirmations;
  }

  deadlineMs(): number {
    return this.startedMs + suspicionTimeoutMs(this.bounds, this.confirmers.size);
  }
}
