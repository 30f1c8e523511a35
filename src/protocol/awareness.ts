/**
 * Lifeguard local health (LHA-Probe, Lifeguard §IV-A; memberlist awareness.go): a saturating
 * score in [0, max − 1]. Missed nacks and refuting a suspicion about ourselves raise it, clean
 * probes lower it; the probe interval and timeout are multiplied by score + 1, so a node that
 * is itself slow stops accusing healthy peers.
 */
export class Awareness {
  private score = 0;

  constructor(private readonly maxMultiplier: number) {}

  apply(delta: number): void {
    this.score = Math.min(this.maxMultiplier - 1, Math.max(0, this.score + delta));
  }

  get healthScore(): number {
    return this.score;
  }

  scale(durationMs: number): number {
    return durationMs * (this.score + 1);
  }
}
