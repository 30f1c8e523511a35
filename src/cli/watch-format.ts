import { isRecord } from '../config/parsed.js';

const GAP = '  ';
/** Fixed widths: a stream cannot measure lines it has not seen yet. Longer cells push the line right. */
const WIDTHS = { time: 24, event: 14, member: 16, change: 16, by: 16 } as const;

export const WATCH_HEADER = line(['TIME', 'EVENT', 'MEMBER', 'FROM→TO', 'BY', 'DETAIL']);

/**
 * One event of GET /v1/events as one aligned line for people: time, event, member, status
 * from→to, who caused it, then what else is worth seeing (address, tags, incarnation).
 * `data` is the event's JSON; null when it is not an object this client understands.
 */
export function formatWatchLine(event: string, data: unknown): string | null {
  if (!isRecord(data)) return null;
  const text = (key: string): string => {
    const value = data[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  };
  if (event === 'gap') {
    const lost = typeof data['lost'] === 'number' ? `${data['lost']} events were lost` : 'some events may be lost';
    return line(['', 'gap', '', '', '', `${lost} before this point (the agent no longer had them, or restarted)`]);
  }
  if (event === 'refute') {
    return line([text('time'), event, text('member'), '', '', `refuted "${text('accusation')}" with incarnation ${text('incarnation')}`]);
  }
  if (event === 'user-event') {
    return line([text('time'), event, text('member'), '', '', `${text('name')} (ltime ${text('ltime')}) ${JSON.stringify(text('payload'))}`]);
  }
  if (event === 'member-reap') {
    return line([text('time'), event, text('member'), '', '', 'forgotten after --reap-timeout']);
  }
  const previous = text('previous') === '' ? 'none' : text('previous');
  const change = `${previous}→${text('status')}`;
  return line([text('time'), event, text('member'), change, text('by'), detail(text('addr'), data['tags'])]);
}

function detail(addr: string, tags: unknown): string {
  if (!isRecord(tags)) return addr;
  const pairs = Object.entries(tags)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? addr : `${addr} ${pairs.join(',')}`;
}

function line(cells: readonly [string, string, string, string, string, string]): string {
  const [time, event, member, change, by, rest] = cells;
  const padded = [
    time.padEnd(WIDTHS.time),
    event.padEnd(WIDTHS.event),
    member.padEnd(WIDTHS.member),
    change.padEnd(WIDTHS.change),
    by.padEnd(WIDTHS.by),
    rest,
  ];
  return `${padded.join(GAP).trimEnd()}\n`;
}
