import { DEFAULT_PAUSE_TOLERANCE_MS, PROFILE_NAMES, PROFILES, type ProtocolOptions } from '../protocol/options.js';
import type { ProbeScheduleKind } from '../protocol/probe-schedule.js';
import { addressKey } from '../protocol/types.js';
import {
  AGENT_DEFAULTS,
  DEFAULT_BIND_HOST,
  DEFAULT_HTTP_HOST,
  LOG_LEVELS,
  MAX_NAME_BYTES,
  MAX_PACKET_BYTES,
  MIN_PACKET_BYTES,
} from './defaults.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseEventHandlers, parseWebhookUrls } from './event-handlers.js';
import { parseQueryHandlers } from './query-handlers.js';
import { MAX_CLUSTER_BYTES } from './limits.js';
import { orList, type Parsed, type Syntax } from './parsed.js';
import { parseKeyOption, parseToken } from './security.js';
import { parseTags } from './tags.js';
import type { AgentConfig } from './types.js';
import {
  parseAddressList,
  parseAddressValue,
  parseChoice,
  parseCount,
  parseName,
  parseOptionalAddress,
  parseOptionalPath,
  parseText,
  type CountRules,
} from './values.js';

/** Agent options come first in --help; timing options come from the profile. */
export type KeyGroup = 'agent' | 'timing';

/** How one configuration key is spelled in each source. */
export interface KeyNames {
  /** camelCase key in the JSON file, as in DESIGN.md §2 (e.g. "probeInterval"). */
  readonly key: string;
  /** Command-line flag, e.g. "--probe-interval". */
  readonly flag: string;
  /** The attribute commander stores the flag under (camelCase of the flag). */
  readonly flagKey: string;
  /** Environment variable, e.g. "GOSSIPD_PROBE_INTERVAL". */
  readonly env: string;
  /** Placeholder shown in --help, e.g. "<duration>". */
  readonly argName: string;
  readonly help: string;
  /** Repeatable on the command line (each use adds an item). */
  readonly repeatable: boolean;
  readonly group: KeyGroup;
}

export interface KeySpec<T> extends KeyNames {
  readonly parse: (raw: unknown, syntax: Syntax) => Parsed<T>;
}

export type KeySpecs = { readonly [F in keyof AgentConfig]: KeySpec<AgentConfig[F]> };

interface SpecOptions {
  readonly flag?: string;
  readonly repeatable?: boolean;
  readonly group?: KeyGroup;
}

function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function spec<T>(
  key: string,
  argName: string,
  help: string,
  parse: KeySpec<T>['parse'],
  options: SpecOptions = {},
): KeySpec<T> {
  const flag = `--${options.flag ?? kebabCase(key)}`;
  return {
    key,
    flag,
    flagKey: camelCase(flag.slice(2)),
    env: `GOSSIPD_${kebabCase(key).replace(/-/g, '_').toUpperCase()}`,
    argName,
    help,
    repeatable: options.repeatable ?? false,
    group: options.group ?? 'agent',
    parse,
  };
}

type NumericField = { readonly [F in keyof ProtocolOptions]: ProtocolOptions[F] extends number ? F : never }[keyof ProtocolOptions];

/** "(default: 1s; lan 1s, wan 5s, local 1s)": --help shows how each profile sets a timing key. */
function profileDefaults(field: NumericField, format: (value: number) => string): string {
  const fallback = AGENT_DEFAULTS.profile;
  const value = PROFILES[fallback][field];
  const others = PROFILE_NAMES.filter((profile) => profile !== fallback);
  if (others.every((profile) => PROFILES[profile][field] === value)) return `(default: ${format(value)}, every profile)`;
  const perProfile = others.map((profile) => `${profile} ${format(PROFILES[profile][field])}`);
  return `(default: ${format(value)}; ${perProfile.join(', ')})`;
}

function durationKey(key: string, field: NumericField, help: string, minMs = 1): KeySpec<number> {
  const parse = (raw: unknown, syntax: Syntax): Parsed<number> => parseDuration(raw, syntax, { minMs });
  return spec(key, '<duration>', `${help} ${profileDefaults(field, formatDuration)}`, parse, { group: 'timing' });
}

function countKey(key: string, field: NumericField, help: string, rules: CountRules): KeySpec<number> {
  const argName = rules.unit === 'bytes' ? '<bytes>' : '<count>';
  const parse = (raw: unknown, syntax: Syntax): Parsed<number> => parseCount(raw, syntax, rules);
  return spec(key, argName, `${help} ${profileDefaults(field, String)}`, parse, { group: 'timing' });
}

const defaultBind = addressKey(AGENT_DEFAULTS.bind);
const defaultHttp = addressKey(AGENT_DEFAULTS.http);

/**
 * Every configuration key, in --help order. Keyed by AgentConfig field, so adding a field to
 * AgentConfig fails to compile until it has a flag, an env variable and a file key here.
 */
export const KEY_SPECS: KeySpecs = {
  name: spec('name', '<name>', `member name, unique in the cluster, 1..${MAX_NAME_BYTES} bytes (default: host name)`, parseName),
  bind: spec(
    'bind',
    '<host:port>',
    `UDP address to listen on; ":port" means ${DEFAULT_BIND_HOST}, port 0 picks a free one (default: ${defaultBind})`,
    (raw) => parseAddressValue(raw, { minPort: 0, defaultHost: DEFAULT_BIND_HOST }),
  ),
  advertise: spec(
    'advertise',
    '<ip:port>',
    'address other members reach this one at (default: the bind address; for 0.0.0.0, the first non-internal IPv4)',
    (raw, syntax) => parseOptionalAddress(raw, syntax, { minPort: 1, requireSpecificIp: true }),
  ),
  join: spec(
    'join',
    '<host:port>',
    'seed to contact at start; repeat the flag or separate with commas (default: none)',
    (raw, syntax) => parseAddressList(raw, syntax, { minPort: 1 }),
    { repeatable: true },
  ),
  http: spec(
    'http',
    '<host:port>',
    `local HTTP membership endpoint; ":port" means ${DEFAULT_HTTP_HOST}, port 0 picks a free one (default: ${defaultHttp})`,
    (raw) => parseAddressValue(raw, { minPort: 0, defaultHost: DEFAULT_HTTP_HOST, examplePort: AGENT_DEFAULTS.http.port }),
  ),
  tags: spec('tags', '<key=value>', 'tag published to the cluster; repeatable (default: none)', parseTags, {
    flag: 'tag',
    repeatable: true,
  }),
  cluster: spec(
    'cluster',
    '<name>',
    `cluster name, 1..${MAX_CLUSTER_BYTES} bytes; packets of other clusters are dropped (default: ${AGENT_DEFAULTS.cluster})`,
    (raw) => parseText(raw, { maxBytes: MAX_CLUSTER_BYTES }),
  ),
  profile: spec(
    'profile',
    '<profile>',
    `timing defaults: tolerance (derived from --pause-tolerance), or memberlist's ${orList(PROFILE_NAMES.filter((p) => p !== 'tolerance'))} (default: ${AGENT_DEFAULTS.profile})`,
    (raw) => parseChoice(raw, PROFILE_NAMES, 'profile'),
  ),
  pauseToleranceMs: spec(
    'pauseTolerance',
    '<duration>',
    `a member silent for less than this (paused, stalled, cut off) is never declared failed, one silent longer is declared failed ` +
      `about 2 s later; "off": memberlist's log10(n) suspicion timeouts (default: ${formatDuration(DEFAULT_PAUSE_TOLERANCE_MS)} ` +
      `in the tolerance profile, off in the others)`,
    parsePauseTolerance,
    { group: 'timing' },
  ),
  logLevel: spec('logLevel', '<level>', `${orList(LOG_LEVELS)} (default: ${AGENT_DEFAULTS.logLevel})`, (raw) =>
    parseChoice(raw, LOG_LEVELS, 'log level'),
  ),
  dataDir: spec(
    'dataDir',
    '<dir>',
    'directory for the restart snapshot (incarnation, known members); a restart then rejoins without --join (default: none)',
    parseOptionalPath,
  ),
  encrypt: spec(
    'encrypt',
    '<key>',
    'encrypt and authenticate every datagram with this AES-256 key (base64 of 32 bytes, from gossipd keygen); every member needs it. Give it as GOSSIPD_ENCRYPT or in --keyring-file, not as this flag: ps shows arguments (default: off)',
    parseKeyOption,
  ),
  keyringFile: spec(
    'keyringFile',
    '<path>',
    'JSON keyring {"keys": [primary, ...], "mode": "enforce"}: the first key encrypts, all decrypt; mode plaintext|encrypt|enforce (default enforce); gossipd keys changes are saved to it (default: none)',
    parseOptionalPath,
  ),
  httpToken: spec(
    'httpToken',
    '<token>',
    'bearer token that join, leave and keys requests must carry; required when --http is not loopback (default: none)',
    parseToken,
  ),
  onEvent: spec(
    'onEvent',
    '<event=command>',
    'run a shell command on each such event (member-join, member-alive, member-suspect, member-failed, member-leave, ' +
      'member-update, member-reap, refute, user-event or *); the event comes as JSON on stdin (a user event: its payload) ' +
      'and in GOSSIPD_* variables; repeatable (default: none)',
    parseEventHandlers,
    { repeatable: true },
  ),
  onQuery: spec(
    'onQuery',
    '<name=command>',
    'answer queries of this name (or * for any) with the stdout of a shell command, run with the payload on stdin and ' +
      'the name in GOSSIPD_QUERY; without a handler a member only acknowledges; repeatable (default: none)',
    parseQueryHandlers,
    { repeatable: true },
  ),
  hookTimeoutMs: spec(
    'hookTimeout',
    '<duration>',
    `kill an --on-event or --on-query command still running after this long (default: ${formatDuration(AGENT_DEFAULTS.hookTimeoutMs)})`,
    (raw, syntax) => parseDuration(raw, syntax, { minMs: 1 }),
  ),
  webhooks: spec(
    'webhooks',
    '<url>',
    'POST each membership event as JSON to this http(s) URL, retrying with backoff; repeatable (default: none)',
    parseWebhookUrls,
    { flag: 'webhook', repeatable: true },
  ),
  probeIntervalMs: durationKey('probeInterval', 'probeIntervalMs', 'protocol period: one member probed per period'),
  probeTimeoutMs: durationKey('probeTimeout', 'probeTimeoutMs', 'wait for a direct ack; below --probe-interval'),
  indirectChecks: countKey('indirectChecks', 'indirectChecks', 'members asked to probe a silent member', { min: 0 }),
  suspicionMult: countKey('suspicionMult', 'suspicionMult', 'min suspicion: probe intervals × log10(n); with a pause tolerance, this − 1 monitors confirm a suspicion at once', {
    min: 1,
  }),
  suspicionMaxTimeoutMult: countKey(
    'suspicionMaxTimeoutMult',
    'suspicionMaxTimeoutMult',
    'max suspicion, as a multiple of the min (not used with a pause tolerance)',
    { min: 1 },
  ),
  gossipIntervalMs: durationKey('gossipInterval', 'gossipIntervalMs', 'how often queued updates are gossiped'),
  gossipFanout: countKey('gossipFanout', 'gossipFanout', 'members gossiped to per gossip interval', { min: 1 }),
  retransmitMult: countKey('retransmitMult', 'retransmitMult', 'sends per update: this × log10(n + 1)', { min: 1 }),
  pushPullIntervalMs: durationKey('pushPullInterval', 'pushPullIntervalMs', 'full state sync with one random member'),
  gossipToTheDeadTimeMs: durationKey(
    'gossipToTheDeadTime',
    'gossipToTheDeadTimeMs',
    'gossip to failed members this long; 0s: off',
    0,
  ),
  awarenessMaxMultiplier: countKey(
    'awarenessMaxMultiplier',
    'awarenessMaxMultiplier',
    'max local-health slowdown factor',
    { min: 1 },
  ),
  maxPacketBytes: countKey('maxPacketSize', 'maxPacketBytes', `largest UDP datagram, ${MIN_PACKET_BYTES}..${MAX_PACKET_BYTES}`, {
    min: MIN_PACKET_BYTES,
    max: MAX_PACKET_BYTES,
    unit: 'bytes',
  }),
  reapTimeoutMs: durationKey('reapTimeout', 'reapTimeoutMs', 'keep failed and left members this long'),
  reconnectIntervalMs: durationKey('reconnectInterval', 'reconnectIntervalMs', 'retry failed members this often'),
  reconnectTimeoutMs: durationKey('reconnectTimeout', 'reconnectTimeoutMs', 'stop retrying a failed member after this long'),
  coordinates: spec(
    'coordinates',
    '<on/off>',
    'Vivaldi network coordinates (/v1/coordinates, gossipd rtt, ?near); off: no coordinate bytes or probes, ' +
      '/v1/coordinates answers 404 (default: on)',
    parseOnOff,
    { group: 'timing' },
  ),
  probeSchedule: spec(
    'probeSchedule',
    '<schedule>',
    `whom each member probes: ring (its successor on a ring by name hash: everyone is probed every period) or round-robin ` +
      `(its own shuffled order, as memberlist) (default: ${PROFILES[AGENT_DEFAULTS.profile].probeSchedule}; ${PROFILE_NAMES.filter((p) => p !== AGENT_DEFAULTS.profile)
        .map((p) => `${p} ${PROFILES[p].probeSchedule}`)
        .join(', ')})`,
    (raw) => parseChoice(raw, PROBE_SCHEDULES, 'probe schedule'),
    { group: 'timing' },
  ),
};

const PROBE_SCHEDULES: readonly ProbeScheduleKind[] = ['ring', 'round-robin'];

/** "on" or "off" (true or false in the file). */
function parseOnOff(raw: unknown, syntax: Syntax): Parsed<boolean> {
  if (syntax === 'file' && typeof raw === 'boolean') return { ok: true, value: raw };
  const parsed = parseChoice(raw, ['on', 'off'] as const, 'switch');
  return parsed.ok ? { ok: true, value: parsed.value === 'on' } : parsed;
}

/** A duration of at least 100 ms, or "off" (null): memberlist's suspicion timeouts. */
function parsePauseTolerance(raw: unknown, syntax: Syntax): Parsed<number | null> {
  if (raw === 'off' || (raw === null && syntax === 'file')) return { ok: true, value: null };
  return parseDuration(raw, syntax, { minMs: 100 });
}

/** Every key's spellings, in --help order. */
export function keyNamesList(): readonly KeyNames[] {
  return Object.values(KEY_SPECS);
}
