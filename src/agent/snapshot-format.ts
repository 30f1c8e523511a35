import { validateHost, validateName, validatePort, validateTags } from '../codec/index.js';
import { isIncarnation } from '../codec/fields.js';
import { isRecord } from '../config/parsed.js';
import type { MemberSnapshot } from '../protocol/events.js';
import { addressKey, incarnation as asIncarnation, isMemberStatus, MEMBER_STATUSES, nextIncarnation, type Incarnation, type MemberStatus, type Tags } from '../protocol/types.js';
import { failure, success, type Result } from '../result.js';

/**
 * The snapshot's format: what it holds, how it is built from the agent's state, and how a
 * file's text is validated. Pure: no file system, no clock (the caller passes the wall time).
 */

export const SNAPSHOT_VERSION = 1;
/**
 * Remembered members contacted at restart. Each one that answers sends its whole table, so a
 * few suffice; random choices among the alive ones keep a whole-cluster restart connected.
 */
export const MAX_REJOIN_SEEDS = 8;

/** One remembered member, in the JSON shape of GET /v1/members (without `since`). */
export interface RememberedMember {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly status: MemberStatus;
  readonly incarnation: Incarnation;
  readonly tags: Tags;
}

export interface Snapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly cluster: string;
  /** The agent that wrote it: a snapshot of another node or cluster is foreign. */
  readonly name: string;
  /** The writer's own incarnation when it wrote. */
  readonly incarnation: Incarnation;
  /** ISO-8601 wall-clock time of writing, for people reading the file. */
  readonly savedAt: string;
  /** Every other member the writer knew. */
  readonly members: readonly RememberedMember[];
}

export interface SnapshotOwner {
  readonly cluster: string;
  readonly name: string;
}

/**
 * Why a snapshot file is ignored: not a valid snapshot (not JSON, truncated, a field of the
 * wrong kind), another format version, or written by another node or cluster.
 */
export type SnapshotRefusal = 'corrupt' | 'unknown-version' | 'foreign';

export type ParsedSnapshot = Result<Snapshot, SnapshotRefusal>;

export function buildSnapshot(owner: SnapshotOwner, self: MemberSnapshot, others: readonly MemberSnapshot[], wallMs: number): Snapshot {
  return {
    version: SNAPSHOT_VERSION,
    cluster: owner.cluster,
    name: owner.name,
    incarnation: self.incarnation,
    savedAt: new Date(wallMs).toISOString(),
    members: others
      .filter((m) => m.name !== owner.name)
      .map((m) => ({ name: m.name, addr: m.addr.host, port: m.addr.port, status: m.status, incarnation: m.incarnation, tags: m.tags })),
  };
}

/** Validates a snapshot file's text as strictly as the codec validates a packet: it is input too. */
export function parseSnapshot(text: string, owner: SnapshotOwner): ParsedSnapshot {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return corrupt(`not valid JSON (corrupt or truncated): ${(error as Error).message}`);
  }
  if (!isRecord(document)) return corrupt('not a JSON object');
  if (document['version'] !== SNAPSHOT_VERSION) {
    return failure('unknown-version', `unknown version ${JSON.stringify(document['version'])} (expected ${SNAPSHOT_VERSION})`);
  }
  const { cluster, name, incarnation, savedAt, members } = document;
  if (typeof cluster !== 'string' || typeof name !== 'string') return corrupt('missing cluster or name');
  if (cluster !== owner.cluster || name !== owner.name) {
    return failure('foreign', `foreign: written by ${JSON.stringify(name)} of cluster ${JSON.stringify(cluster)}, this is ${JSON.stringify(owner.name)} of cluster ${JSON.stringify(owner.cluster)}`);
  }
  if (!isIncarnation(incarnation)) return corrupt(`incarnation ${JSON.stringify(incarnation)} is not an unsigned 32-bit integer`);
  if (typeof savedAt !== 'string') return corrupt('missing savedAt');
  if (!Array.isArray(members)) return corrupt('members is not an array');
  const remembered: RememberedMember[] = [];
  for (let i = 0; i < members.length; i++) {
    const member = parseMember(members[i]);
    if (typeof member === 'string') return corrupt(`members[${i}]: ${member}`);
    remembered.push(member);
  }
  return success({ version: SNAPSHOT_VERSION, cluster, name, incarnation, savedAt, members: remembered });
}

function parseMember(value: unknown): RememberedMember | string {
  if (!isRecord(value)) return 'not an object';
  const { name, addr, port, status, incarnation, tags } = value;
  if (typeof name !== 'string') return 'name is not a string';
  if (typeof addr !== 'string') return 'addr is not a string';
  if (typeof port !== 'number') return 'port is not a number';
  const problem = validateName(name) ?? validateHost(addr, 'addr') ?? validatePort(port);
  if (problem !== null) return problem;
  if (!isMemberStatus(status)) return `status ${JSON.stringify(status)} is not a member status`;
  if (!isIncarnation(incarnation)) return `incarnation ${JSON.stringify(incarnation)} is not an unsigned 32-bit integer`;
  if (!isRecord(tags)) return 'tags is not an object';
  const tagsProblem = validateTags(tags as Tags);
  if (tagsProblem !== null) return tagsProblem;
  return { name, addr, port, status, incarnation, tags: { ...(tags as Tags) } };
}

/** Wall-clock seconds, but above the remembered incarnation: a restart always outranks its old record. */
export function startingIncarnation(wallSeconds: number, remembered: Incarnation | undefined): Incarnation {
  const fromClock = asIncarnation(wallSeconds);
  if (remembered === undefined) return fromClock;
  const afterRemembered = nextIncarnation(remembered);
  return afterRemembered > fromClock ? afterRemembered : fromClock;
}

/**
 * Seeds for a restart without --join: remembered members other than ourselves, alive ones first
 * (then suspect, then failed: a failed member may be back), each group shuffled, at most
 * MAX_REJOIN_SEEDS. Members that left said goodbye and are not contacted.
 */
export function rejoinSeeds(snapshot: Snapshot, random: () => number = Math.random): string[] {
  // MEMBER_STATUSES lists alive, suspect, failed, left: the order of preference.
  const candidates = snapshot.members
    .filter((m) => m.status !== 'left' && m.name !== snapshot.name)
    .map((m) => ({ m, key: MEMBER_STATUSES.indexOf(m.status) + random() }))
    .sort((a, b) => a.key - b.key);
  const seeds: string[] = [];
  for (const { m } of candidates) {
    const seed = addressKey({ host: m.addr, port: m.port });
    if (!seeds.includes(seed)) seeds.push(seed);
    if (seeds.length >= MAX_REJOIN_SEEDS) break;
  }
  return seeds;
}

function corrupt(error: string): ParsedSnapshot {
  return failure('corrupt', error);
}
