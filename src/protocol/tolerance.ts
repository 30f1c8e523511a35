import type { ProtocolOptions } from './options.js';
import type { Incarnation, NodeName } from './types.js';

/**
 * Suspicion timing set by a pause tolerance T instead of log10 n (docs/protocol.md, "Pause
 * tolerance"). A member silent for less than T is never declared failed; beyond it, as soon as
 * the evidence allows. Every holder of a suspicion times it from when the evidence began (the
 * suspect message carries its age), so all of them reach their verdict at about the same
 * moment, whatever the cluster size.
 *
 * With E the start of the evidence (the unanswered probe was sent):
 * - E + T: holders with evidence of their own (the prober, the confirmers) ping the suspect
 *   once more with the suspicion attached: a member that was only paused has resumed by now;
 * - E + T + refuteMargin: they declare it failed, unless it refuted;
 * - members that only heard of it do not judge on hearsay: the `failed` of an evidence holder,
 *   or the refutation, normally reaches them by gossip first; one that has neither `hearsay`
 *   later asks an evidence holder (and, unconfirmed, the suspect itself), twice, a refute
 *   margin apart, and only then declares it failed. Gossip reaches a given member with
 *   probability about 1 − e^(−retransmits · q), so at high loss one now and then misses the
 *   refutation; the answer (`failed`, or the current `alive`) settles it in a round trip;
 * - unconfirmed (nobody else failed to reach it either): everyone waits `unconfirmed` longer,
 *   since the lone accuser may be the one cut off (Lifeguard §IV-B).
 */
export interface ToleranceTiming {
  readonly toleranceMs: number;
  /** A final check's round trip and the refutation it provokes: 2 × probeTimeout. */
  readonly refuteMarginMs: number;
  /** For holders without evidence of their own: 2 × gossipInterval. */
  readonly hearsayMs: number;
  /** Without the expected confirmations: one more tolerance. */
  readonly unconfirmedMs: number;
}

/**
 * Confirmations a suspicion needs to be trusted on time. One is enough: the suspect's monitors
 * each probe it (directly, through k helpers, and directly again), so a false one needs two
 * independent probes to fail; and the pings of those probes carry the suspicion, so a live
 * suspect refutes long before the tolerance runs out.
 */
export const TOLERANCE_CONFIRMATIONS = 1;

/** Members that probe a suspect at once (besides its originator): its nearest ring predecessors. */
export function monitorCount(options: ProtocolOptions): number {
  return Math.max(1, options.suspicionMult - 1);
}

export function toleranceTiming(options: ProtocolOptions, toleranceMs: number): ToleranceTiming {
  return {
    toleranceMs,
    refuteMarginMs: 2 * options.probeTimeoutMs,
    hearsayMs: 2 * options.gossipIntervalMs,
    unconfirmedMs: toleranceMs,
  };
}

/** Times a member that only heard of a suspicion asks before it declares the suspect failed itself. */
export const HEARSAY_ASKS = 3;

/** What a suspicion's timer asks for when it fires. */
export type SuspicionStep =
  | { readonly kind: 'final-check' }
  /** Ask an evidence holder what it knows; `alsoSuspect`: ping the suspect too, with the suspicion. */
  | { readonly kind: 'ask'; readonly alsoSuspect: boolean }
  | { readonly kind: 'fail' }
  | { readonly kind: 'wait'; readonly untilMs: number };

/** A running suspicion about one member at one incarnation, timed by the pause tolerance. */
export class ToleranceSuspicion {
  private readonly confirmers = new Set<NodeName>();
  /** Final checks sent: one at E + T, then, while unconfirmed, one every refute margin. */
  private finalChecks = 0;
  private asks = 0;
  /** When we last pinged the suspect or asked about it: its answer gets a refute margin. */
  private lastCheckMs = -Infinity;
  /** The suspect acked a check ping: no verdict of ours before this. */
  private notBeforeMs = -Infinity;
  /** Whether we probed the suspect ourselves and it stayed silent (we originated or confirmed). */
  private ownEvidence: boolean;

  constructor(
    readonly incarnation: Incarnation,
    private evidenceStartMs: number,
    readonly originator: NodeName,
    self: NodeName,
    /** Confirmations expected: fewer means the originator may be the one cut off. */
    private readonly expectedConfirmations: number,
    private readonly timing: ToleranceTiming,
  ) {
    this.ownEvidence = originator === self;
  }

  /**
   * Records a suspect message from `from` whose evidence began at `evidenceStartMs`; true if it
   * was a new independent confirmation (and so worth passing on).
   */
  confirm(from: NodeName, evidenceStartMs: number, self: NodeName): boolean {
    this.evidenceStartMs = Math.min(this.evidenceStartMs, evidenceStartMs);
    if (from === self) this.ownEvidence = true;
    if (from === this.originator || this.confirmers.has(from)) return false;
    if (this.confirmers.size >= this.expectedConfirmations) return false;
    this.confirmers.add(from);
    return true;
  }

  get startMs(): number {
    return this.evidenceStartMs;
  }

  /** When the timer must next fire. */
  wakeMs(): number {
    if (this.finalCheckDue()) return this.finalCheckMs();
    if (!this.ownEvidence && this.asks < HEARSAY_ASKS) return this.askMs();
    return this.deadlineMs();
  }

  /** The timer fired at `nowMs`. */
  step(nowMs: number): SuspicionStep {
    if (this.finalCheckDue() && nowMs >= this.finalCheckMs()) {
      this.finalChecks++;
      this.lastCheckMs = nowMs;
      return { kind: 'final-check' };
    }
    if (!this.ownEvidence && this.asks < HEARSAY_ASKS && nowMs >= this.askMs()) {
      this.asks++;
      this.lastCheckMs = nowMs;
      return { kind: 'ask', alsoSuspect: !this.confirmed };
    }
    const deadline = this.deadlineMs();
    return nowMs >= deadline ? { kind: 'fail' } : { kind: 'wait', untilMs: this.wakeMs() };
  }

  private get confirmed(): boolean {
    return this.confirmers.size >= this.expectedConfirmations;
  }

  /**
   * Whether an evidence holder has a final check to send: the first one, and more while nobody
   * confirmed (a lone accuser's own network may be what lost the refutation), up to the verdict.
   */
  private finalCheckDue(): boolean {
    if (!this.ownEvidence) return false;
    if (this.finalChecks === 0) return true;
    return !this.confirmed && this.finalCheckMs() + this.timing.refuteMarginMs <= this.deadlineMs();
  }

  private finalCheckMs(): number {
    return this.evidenceStartMs + this.timing.toleranceMs + this.finalChecks * this.timing.refuteMarginMs;
  }

  /** The suspect answered a check ping: it is alive; give its refutation another tolerance to reach us. */
  heardFromSuspect(nowMs: number): void {
    this.notBeforeMs = nowMs + this.timing.unconfirmedMs;
  }

  /** Members with evidence of their own: the originator and the confirmers we heard of. */
  evidenceHolders(): NodeName[] {
    return [this.originator, ...this.confirmers];
  }

  /** When a member that only heard of the suspicion asks (again). */
  private askMs(): number {
    const t = this.timing;
    return this.evidenceStartMs + t.toleranceMs + t.refuteMarginMs + t.hearsayMs + this.asks * t.refuteMarginMs;
  }

  /**
   * Never sooner than a refute margin after our last check: a suspicion raised late (a prober
   * slowed by its own local health) still gives the suspect's answer time to arrive.
   */
  private deadlineMs(): number {
    const t = this.timing;
    const verdictMs = this.evidenceStartMs + t.toleranceMs + t.refuteMarginMs;
    const answered = Math.max(this.lastCheckMs + t.refuteMarginMs, this.notBeforeMs);
    if (this.ownEvidence) return Math.max(answered, verdictMs + (this.confirmed ? 0 : t.unconfirmedMs));
    const afterAsking = Math.max(answered, verdictMs + t.hearsayMs + HEARSAY_ASKS * t.refuteMarginMs);
    return this.confirmed ? afterAsking : Math.max(afterAsking, verdictMs + t.unconfirmedMs + t.hearsayMs);
  }
}
