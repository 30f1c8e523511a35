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
 * - members that only heard of it wait `hearsay` longer: the `failed` of an evidence holder, or
 *   a refutation, normally reaches them first;
 * - unconfirmed (nobody else failed to reach it either): everyone waits `unconfirmed` longer,
 *   since the lone accuser may be the one cut off (Lifeguard §IV-B). A member that only heard
 *   of it asks the originator first: gossip reaches a given member with probability about
 *   1 − e^(−retransmits), so now and then one misses both the confirmations and the verdict,
 *   and the originator's answer (its `failed`, or the suspect's refutation) settles it in a
 *   round trip.
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

/** What a suspicion's timer asks for when it fires. */
export type SuspicionStep =
  | { readonly kind: 'final-check' }
  | { readonly kind: 'ask-originator' }
  | { readonly kind: 'fail' }
  | { readonly kind: 'wait'; readonly untilMs: number };

/** A running suspicion about one member at one incarnation, timed by the pause tolerance. */
export class ToleranceSuspicion {
  private readonly confirmers = new Set<NodeName>();
  private finalCheckSent = false;
  private originatorAsked = false;
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
    if (this.ownEvidence && !this.finalCheckSent) return this.finalCheckMs();
    if (!this.ownEvidence && !this.confirmed && !this.originatorAsked) return this.askMs();
    return this.deadlineMs();
  }

  /** The timer fired at `nowMs`. */
  step(nowMs: number): SuspicionStep {
    if (this.ownEvidence && !this.finalCheckSent && nowMs >= this.finalCheckMs()) {
      this.finalCheckSent = true;
      return { kind: 'final-check' };
    }
    if (!this.ownEvidence && !this.confirmed && !this.originatorAsked && nowMs >= this.askMs()) {
      this.originatorAsked = true;
      return { kind: 'ask-originator' };
    }
    const deadline = this.deadlineMs();
    return nowMs >= deadline ? { kind: 'fail' } : { kind: 'wait', untilMs: this.wakeMs() };
  }

  private get confirmed(): boolean {
    return this.confirmers.size >= this.expectedConfirmations;
  }

  private finalCheckMs(): number {
    return this.evidenceStartMs + this.timing.toleranceMs;
  }

  /** When a member that only heard of an unconfirmed suspicion asks its originator. */
  private askMs(): number {
    const t = this.timing;
    return this.evidenceStartMs + t.toleranceMs + t.refuteMarginMs + t.hearsayMs;
  }

  private deadlineMs(): number {
    const t = this.timing;
    return (
      this.evidenceStartMs +
      t.toleranceMs +
      t.refuteMarginMs +
      (this.confirmed ? 0 : t.unconfirmedMs) +
      (this.ownEvidence ? 0 : t.hearsayMs)
    );
  }
}
