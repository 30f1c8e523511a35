import { EVENT_LIMITS } from '../agent/limits.js';
import { MEMBERSHIP_EVENT_TYPES, type MembershipEventType } from '../agent/membership-event.js';
import { isRecord, isStringArray, orList, show, splitList, type Parsed, type Syntax } from './parsed.js';
import { invalid, valid } from '../result.js';
import { closest } from './suggest.js';

/** An --on-event event name: one membership event type, or `*` for all of them. */
export type HookEventName = MembershipEventType | '*';

/** One --on-event handler: a shell command run for each event of its kind. */
export interface EventHandler {
  readonly event: HookEventName;
  /** Run with `/bin/sh -c`, so it may carry arguments; the event comes on stdin and in GOSSIPD_* variables. */
  readonly command: string;
}

const HOOK_EVENT_NAMES: readonly HookEventName[] = [...MEMBERSHIP_EVENT_TYPES, '*'];
const HANDLER_EXAMPLE = 'member-failed=./failover.sh';

/**
 * --on-event EVENT=COMMAND (repeatable; the command may hold commas), GOSSIPD_ON_EVENT
 * (comma-separated, so commands there cannot), or in the file an object
 * {"member-failed": "./failover.sh", "*": ["./a.sh", "./b.sh"]} or an array of "event=command".
 */
export function parseEventHandlers(raw: unknown, syntax: Syntax): Parsed<readonly EventHandler[]> {
  const entries = syntax === 'file' && isRecord(raw) ? objectEntries(raw) : textEntries(raw, syntax);
  if (!entries.ok) return entries;
  const errors: string[] = [];
  const handlers: EventHandler[] = [];
  // Every bad entry is reported, in the order given, not only the first.
  for (const entry of entries.value) {
    const handler = typeof entry === 'string' ? invalid(entry) : checkHandler(entry.event, entry.command);
    if (handler.ok) handlers.push(handler.value);
    else errors.push(...handler.errors);
  }
  if (handlers.length > EVENT_LIMITS.maxHandlers) errors.push(`${handlers.length} handlers (at most ${EVENT_LIMITS.maxHandlers})`);
  return errors.length === 0 ? valid(handlers) : invalid(...errors);
}

function checkHandler(event: string, command: string): Parsed<EventHandler> {
  const errors: string[] = [];
  const name = HOOK_EVENT_NAMES.find((candidate) => candidate === event);
  if (name === undefined) {
    const guess = closest(event, HOOK_EVENT_NAMES);
    const hint = guess === null ? '' : ` (did you mean "${guess}"?)`;
    errors.push(`${show(event)} is not an event${hint}: use ${orList(HOOK_EVENT_NAMES)}`);
  }
  if (command.trim() === '') errors.push(`${show(`${event}=${command}`)}: the command is empty (e.g. ${HANDLER_EXAMPLE})`);
  else if (Buffer.byteLength(command) > EVENT_LIMITS.maxCommandBytes) {
    errors.push(`${event}: the command is longer than ${EVENT_LIMITS.maxCommandBytes} bytes`);
  } else if (command.includes('\0')) errors.push(`${event}: the command contains a NUL character`);
  if (name === undefined || errors.length > 0) return invalid(...errors);
  return valid({ event: name, command: command.trim() });
}

/** One handler as given, or why it cannot be read as one. */
type Entry = { readonly event: string; readonly command: string } | string;

function objectEntries(raw: Readonly<Record<string, unknown>>): Parsed<Entry[]> {
  const entries: Entry[] = [];
  for (const [event, value] of Object.entries(raw)) {
    if (typeof value === 'string') entries.push({ event, command: value });
    else if (isStringArray(value)) entries.push(...value.map((command) => ({ event, command })));
    else entries.push(`${show(event)}: ${show(value)} is not a command string or an array of them`);
  }
  return valid(entries);
}

function textEntries(raw: unknown, syntax: Syntax): Parsed<Entry[]> {
  const items = typeof raw === 'string' ? (syntax === 'env' ? splitList(raw) : [raw]) : isStringArray(raw) ? raw : null;
  if (items === null) {
    const expected = syntax === 'file' ? `an object like {"member-failed": "./failover.sh"}` : `event=command (e.g. ${HANDLER_EXAMPLE})`;
    return invalid(`${show(raw)} is not ${expected}`);
  }
  return valid(
    items.map((item): Entry => {
      const equals = item.indexOf('=');
      if (equals <= 0) return `${show(item)} is not event=command (e.g. ${HANDLER_EXAMPLE})`;
      return { event: item.slice(0, equals).trim(), command: item.slice(equals + 1) };
    }),
  );
}

/**
 * --webhook URL (repeatable), GOSSIPD_WEBHOOKS (comma-separated) or an array in the file:
 * http or https, de-duplicated. Credentials in the URL are refused, since fetch refuses to
 * send them; a secret belongs in the path or query, which logs leave out.
 */
export function parseWebhookUrls(raw: unknown, syntax: Syntax): Parsed<readonly string[]> {
  const items = typeof raw === 'string' ? (syntax === 'file' ? [raw] : splitList(raw)) : isStringArray(raw) ? raw : null;
  if (items === null) return invalid(`${show(raw)} is not ${syntax === 'file' ? 'an array of URLs' : 'a URL'}`);
  const errors: string[] = [];
  const urls = new Set<string>();
  for (const item of items) {
    const url = checkUrl(item.trim());
    if (url.ok) urls.add(url.value);
    else errors.push(...url.errors);
  }
  if (urls.size > EVENT_LIMITS.maxWebhooks) errors.push(`${urls.size} webhooks (at most ${EVENT_LIMITS.maxWebhooks})`);
  return errors.length === 0 ? valid([...urls]) : invalid(...errors);
}

function checkUrl(text: string): Parsed<string> {
  if (text === '') return invalid('the URL is empty');
  if (Buffer.byteLength(text) > EVENT_LIMITS.maxUrlBytes) return invalid(`a URL is longer than ${EVENT_LIMITS.maxUrlBytes} bytes`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(`${show(text)} is not a URL (e.g. https://ops.example/gossipd)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid(`${show(`${url.protocol}//${url.host}`)}: a webhook URL must be http or https`);
  }
  if (url.username !== '' || url.password !== '') {
    return invalid(`${url.protocol}//…@${url.host}: a webhook URL must not hold credentials (put a secret in its path or query)`);
  }
  return valid(url.href);
}
