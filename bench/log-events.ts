// Turns the agents' own log lines into tracker events: gossipd's pino JSON (docs/operations.md, "Logs") and
// Serf 0.9's text log (serf: EventMember…, memberlist: Suspect …, Refuting …).
import type { ViewStatus, ViewTracker } from './tracker.js';

const OUR_STATUSES: Readonly<Record<string, ViewStatus>> = {
  'member alive': 'alive',
  'member suspect': 'suspect',
  'member failed': 'failed',
  'member left': 'left',
};

/** One gossipd log line (JSON), as seen by `observer` at `atMs`. */
export function onOurLogLine(tracker: ViewTracker, observer: string, line: string, atMs: number): void {
  // Cheap filter first: at 1,000 agents the join alone logs a million lines.
  if (!line.includes('"msg":"member ') && !line.includes('"msg":"refuted') && !line.includes('"msg":"missed probe')) return;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const msg = entry['msg'];
  const member = entry['member'];
  if (msg === 'refuted an accusation about self') {
    tracker.refuted(observer, atMs);
    return;
  }
  if (typeof msg === 'string' && msg.startsWith('missed probe not turned into a suspicion')) {
    tracker.gatedProbes++;
    return;
  }
  if (typeof msg !== 'string' || typeof member !== 'string') return;
  if (msg === 'member reaped') {
    tracker.observe(observer, member, 'gone', atMs);
    return;
  }
  const status = OUR_STATUSES[msg];
  if (status === undefined) return;
  tracker.observe(observer, member, status, atMs);
  if (status === 'suspect' && entry['by'] === observer) tracker.suspicionRaised(observer, member, atMs);
}

const SERF_EVENT = /serf: EventMember(Join|Leave|Failed|Reap): (\S+) /;
const SERF_SUSPECT = /memberlist: Suspect (\S+) has failed, no acks received/;
const SERF_REFUTE = /memberlist: Refuting an? (suspect|dead) message/;
const SERF_STATUSES: Readonly<Record<string, ViewStatus | 'gone'>> = {
  Join: 'alive',
  Leave: 'left',
  Failed: 'failed',
  Reap: 'gone',
};

/**
 * One Serf log line. memberlist logs "Suspect X has failed" again on every failed probe of a
 * member that is already suspect; repeats within `suspicionSpanMs` count as the same suspicion.
 */
export function onSerfLogLine(
  tracker: ViewTracker,
  observer: string,
  line: string,
  atMs: number,
  lastSuspected: Map<string, number>,
  suspicionSpanMs: number,
): void {
  const event = SERF_EVENT.exec(line);
  if (event !== null) {
    const status = SERF_STATUSES[event[1] ?? ''];
    if (status !== undefined) tracker.observe(observer, event[2] ?? '', status, atMs);
    if (status === 'alive') lastSuspected.delete(event[2] ?? '');
    return;
  }
  const suspect = SERF_SUSPECT.exec(line);
  if (suspect !== null) {
    const member = suspect[1] ?? '';
    const last = lastSuspected.get(member);
    if (last === undefined || atMs - last > suspicionSpanMs) {
      lastSuspected.set(member, atMs);
      tracker.suspicionRaised(observer, member, atMs);
    }
    return;
  }
  if (SERF_REFUTE.test(line)) tracker.refuted(observer, atMs);
}
