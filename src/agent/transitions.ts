import { MEMBER_STATUSES, type MemberStatus } from '../protocol/types.js';

/** `none` is the status of a member this agent had not heard of before. */
export type FromStatus = MemberStatus | 'none';

/**
 * Member status changes as this agent saw them, fed from the core's member-changed events.
 * Refutations of others show up here: a suspect that comes back alive refuted a suspicion,
 * and a failed member that comes back alive (with a higher incarnation: a false failure
 * healed, or a restart) is the refuted-after-failed count. Tag or address updates that keep
 * the status are not transitions.
 */
export class StatusTransitions {
  private readonly counts = new Map<string, number>();

  note(previous: MemberStatus | null, next: MemberStatus): void {
    const from: FromStatus = previous ?? 'none';
    if (from === next) return;
    const key = `${from}>${next}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  count(from: FromStatus, to: MemberStatus): number {
    return this.counts.get(`${from}>${to}`) ?? 0;
  }

  /** Every (from, to) pair seen so far, with its count. */
  all(): Array<{ readonly from: FromStatus; readonly to: MemberStatus; readonly count: number }> {
    const pairs: Array<{ from: FromStatus; to: MemberStatus; count: number }> = [];
    for (const from of ['none', ...MEMBER_STATUSES] as const) {
      for (const to of MEMBER_STATUSES) {
        const count = this.count(from, to);
        if (count > 0) pairs.push({ from, to, count });
      }
    }
    return pairs;
  }
}
