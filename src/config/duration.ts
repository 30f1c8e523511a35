import { MAX_DURATION_MS } from './limits.js';
import { show, type Parsed, type Syntax } from './parsed.js';
import { invalid, valid } from '../result.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

// "ms" must come before "m" so that "5ms" is not read as five minutes and a stray "s".
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
const BARE_NUMBER = /^\d+(?:\.\d+)?$/;

export { MAX_DURATION_MS } from './limits.js';
export const DURATION_HINT = 'use e.g. 500ms, 2s';

function isUnit(text: string): text is Unit {
  return Object.hasOwn(UNIT_MS, text);
}

/** Reads "500ms", "1.5s", "1m", "24h" and Go-style sums like "1m30s"; null when it is not one. */
export function parseDurationText(text: string): number | null {
  if (text === '') return null;
  let totalMs = 0;
  let position = 0;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    const unit = match?.[2];
    if (match === null || unit === undefined || !isUnit(unit)) return null;
    totalMs += Number(match[1]) * UNIT_MS[unit];
    position = PART.lastIndex;
  }
  return totalMs;
}

/** The shortest exact spelling that parseDurationText reads back: 1500 → "1s500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * UNIT_MS[unit];
  }
  return text;
}

export interface DurationBounds {
  readonly minMs: number;
}

/**
 * A duration in whole milliseconds. In a JSON file a bare number means milliseconds; on the
 * command line and in the environment a unit is required, because "200" there is as likely
 * to mean seconds as milliseconds.
 */
export function parseDuration(raw: unknown, syntax: Syntax, bounds: DurationBounds): Parsed<number> {
  const ms = readDurationMs(raw, syntax);
  if (!ms.ok) return ms;
  const shown = typeof raw === 'string' ? show(raw) : formatDuration(ms.value);
  if (ms.value < bounds.minMs) return invalid(`${shown} is too short (at least ${formatDuration(bounds.minMs)})`);
  if (ms.value > MAX_DURATION_MS) {
    return invalid(`${shown} is too long (at most ${formatDuration(MAX_DURATION_MS)}, Node's longest timer)`);
  }
  return ms;
}

function readDurationMs(raw: unknown, syntax: Syntax): Parsed<number> {
  if (syntax === 'file' && typeof raw === 'number') {
    return Number.isSafeInteger(raw) && raw >= 0
      ? valid(raw)
      : invalid(`${show(raw)} is not a whole, non-negative number of milliseconds`);
  }
  if (typeof raw !== 'string') {
    const expected = syntax === 'file' ? 'a duration string like "500ms" or a number of milliseconds' : 'a duration';
    return invalid(`${show(raw)} is not ${expected}`);
  }
  const text = raw.trim();
  if (BARE_NUMBER.test(text)) return invalid(`${show(raw)} needs a unit (e.g. ${text}ms or ${text}s)`);
  const totalMs = parseDurationText(text);
  if (totalMs === null) return invalid(`${show(raw)} is not a duration (${DURATION_HINT})`);
  const wholeMs = Math.round(totalMs);
  // Decimal fractions such as 1.1s are not exact in binary; only sub-millisecond input is an error.
  if (Math.abs(totalMs - wholeMs) > 1e-6) return invalid(`${show(raw)} is not a whole number of milliseconds`);
  return valid(wholeMs);
}
