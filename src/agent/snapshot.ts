import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join, parse, relative, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { LIMITS, validateHost, validateName, validatePort, validateTags } from '../codec/index.js';
import type { MemberSnapshot } from '../protocol/events.js';
import { addressKey, isMemberStatus, type Incarnation, type MemberStatus, type Tags } from '../protocol/types.js';

/**
 * Restarts that remember (`--data-dir`). The agent keeps, in one JSON file, its last incarnation
 * and the members it knew. On restart it starts above that incarnation (so its new `alive` beats
 * whatever the cluster still holds about it, even within the same wall-clock second) and, given
 * no --join, contacts the remembered members as seeds. The file is only ever a hint: anything
 * wrong with it is reported and ignored, never fatal.
 */

export const SNAPSHOT_FILE = 'snapshot.json';
export const SNAPSHOT_VERSION = 1;
/** A snapshot of 10,000 members is about 2 MB; anything far bigger is not ours. */
export const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024;
/**
 * Remembered members contacted at restart. Each one that answers sends its whole table, so a
 * few suffice; random choices among the alive ones keep a whole-cluster restart connected.
 */
export const MAX_REJOIN_SEEDS = 8;
/** Snapshots are rewritten at most this often while members come and go. */
export const SNAPSHOT_MIN_INTERVAL_MS = 1000;

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

export type ParsedSnapshot = { readonly ok: true; readonly snapshot: Snapshot } | { readonly ok: false; readonly reason: string };

/** What reading the data dir found: nothing yet, a usable snapshot, or one to ignore (and why). */
export type SnapshotLoad =
  | { readonly kind: 'none' }
  | { readonly kind: 'loaded'; readonly snapshot: Snapshot }
  | { readonly kind: 'ignored'; readonly reason: string };

// ─── Format ──────────────────────────────────────────────────────────────────────────────

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
    return fail(`not valid JSON (corrupt or truncated): ${(error as Error).message}`);
  }
  if (!isRecord(document)) return fail('not a JSON object');
  if (document['version'] !== SNAPSHOT_VERSION) return fail(`unknown version ${JSON.stringify(document['version'])} (expected ${SNAPSHOT_VERSION})`);
  const { cluster, name, incarnation, savedAt, members } = document;
  if (typeof cluster !== 'string' || typeof name !== 'string') return fail('missing cluster or name');
  if (cluster !== owner.cluster || name !== owner.name) {
    return fail(`foreign: written by ${JSON.stringify(name)} of cluster ${JSON.stringify(cluster)}, this is ${JSON.stringify(owner.name)} of cluster ${JSON.stringify(owner.cluster)}`);
  }
  if (!isUint32(incarnation)) return fail(`incarnation ${JSON.stringify(incarnation)} is not an unsigned 32-bit integer`);
  if (typeof savedAt !== 'string') return fail('missing savedAt');
  if (!Array.isArray(members)) return fail('members is not an array');
  const remembered: RememberedMember[] = [];
  for (let i = 0; i < members.length; i++) {
    const member = parseMember(members[i]);
    if (typeof member === 'string') return fail(`members[${i}]: ${member}`);
    remembered.push(member);
  }
  return { ok: true, snapshot: { version: SNAPSHOT_VERSION, cluster, name, incarnation, savedAt, members: remembered } };
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
  if (!isUint32(incarnation)) return `incarnation ${JSON.stringify(incarnation)} is not an unsigned 32-bit integer`;
  if (!isRecord(tags)) return 'tags is not an object';
  const tagsProblem = validateTags(tags as Tags);
  if (tagsProblem !== null) return tagsProblem;
  return { name, addr, port, status, incarnation, tags: { ...(tags as Tags) } };
}

/** Wall-clock seconds, but above the remembered incarnation: a restart always outranks its old record. */
export function startingIncarnation(wallSeconds: number, remembered: Incarnation | undefined): Incarnation {
  if (remembered === undefined) return wallSeconds;
  return Math.max(wallSeconds, Math.min(LIMITS.maxUint32, remembered + 1));
}

/**
 * Seeds for a restart without --join: remembered members other than ourselves, alive ones first
 * (then suspect, then failed: a failed member may be back), each group shuffled, at most
 * MAX_REJOIN_SEEDS. Members that left said goodbye and are not contacted.
 */
export function rejoinSeeds(snapshot: Snapshot, random: () => number = Math.random): string[] {
  const rank: Readonly<Record<MemberStatus, number>> = { alive: 0, suspect: 1, failed: 2, left: 3 };
  const candidates = snapshot.members
    .filter((m) => m.status !== 'left' && m.name !== snapshot.name)
    .map((m) => ({ m, key: rank[m.status] + random() }))
    .sort((a, b) => a.key - b.key);
  const seeds: string[] = [];
  for (const { m } of candidates) {
    const seed = addressKey({ host: m.addr, port: m.port });
    if (!seeds.includes(seed)) seeds.push(seed);
    if (seeds.length >= MAX_REJOIN_SEEDS) break;
  }
  return seeds;
}

// ─── Files ───────────────────────────────────────────────────────────────────────────────

export function snapshotPath(dir: string): string {
  return join(dir, SNAPSHOT_FILE);
}

/** Reads the data dir's snapshot. Never rejects: an unreadable file is "ignored" with the reason. */
export async function loadSnapshot(dir: string, owner: SnapshotOwner): Promise<SnapshotLoad> {
  const path = snapshotPath(dir);
  try {
    const info = await stat(path);
    if (!info.isFile()) return { kind: 'ignored', reason: `${path} is not a regular file` };
    if (info.size > MAX_SNAPSHOT_BYTES) return { kind: 'ignored', reason: `${info.size} bytes (max ${MAX_SNAPSHOT_BYTES})` };
    const parsed = parseSnapshot(await readFile(path, 'utf8'), owner);
    return parsed.ok ? { kind: 'loaded', snapshot: parsed.snapshot } : { kind: 'ignored', reason: parsed.reason };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { kind: 'none' };
    return { kind: 'ignored', reason: `cannot read ${path}: ${(error as Error).message}` };
  }
}

/**
 * Replaces the snapshot atomically: write a temporary file, fsync it, rename it over the old
 * one, fsync the directory. A crash at any point leaves either the old or the new snapshot,
 * never half of one.
 */
export async function writeSnapshotFile(dir: string, snapshot: Snapshot): Promise<void> {
  const path = snapshotPath(dir);
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(snapshot, null, 1)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  await syncDirectory(dir);
}

/** Makes the rename itself durable. Some platforms cannot fsync a directory; the rename still happened. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort (e.g. Windows, some network file systems).
  } finally {
    await handle?.close();
  }
}

export async function ensureDataDir(dir: string): Promise<void> {
  try {
    await makeDirectories(dir);
  } catch (error) {
    throw new Error(`cannot create --data-dir ${JSON.stringify(dir)}: ${(error as Error).message}`);
  }
}

/**
 * `mkdir -p`, one component at a time. Not `mkdir(dir, { recursive: true })`: Node's recursive
 * mkdir never returns for a path under /proc or below a dangling symlink (the kernel answers
 * ENOENT for the child after EEXIST for the parent, and it retries forever), and a start must
 * fail with a message, not hang.
 */
async function makeDirectories(dir: string): Promise<void> {
  const absolute = resolve(dir);
  const root = parse(absolute).root;
  let current = root;
  for (const part of relative(root, absolute).split(sep).filter((p) => p !== '')) {
    current = join(current, part);
    try {
      await mkdir(current, { mode: 0o700 });
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
  }
  if (!(await stat(absolute)).isDirectory()) throw new Error('exists and is not a directory');
}

/** What a starting agent takes from its data dir: the old incarnation and seeds, if any. */
export interface Recalled {
  readonly snapshot: Snapshot | undefined;
  /** Remembered members to contact when no --join is given (see rejoinSeeds). */
  readonly seeds: readonly string[];
}

/**
 * Creates the data dir if needed (failing start if it cannot: the operator asked for
 * persistence) and reads the snapshot, logging what it found. A bad snapshot is a warning.
 */
export async function recallSnapshot(dir: string, owner: SnapshotOwner, log: Logger): Promise<Recalled> {
  await ensureDataDir(dir);
  const file = snapshotPath(dir);
  const loaded = await loadSnapshot(dir, owner);
  switch (loaded.kind) {
    case 'none':
      log.info({ file }, 'no snapshot yet: first start with this data dir');
      return { snapshot: undefined, seeds: [] };
    case 'ignored':
      log.warn({ file, reason: loaded.reason }, 'snapshot ignored: starting without it');
      return { snapshot: undefined, seeds: [] };
    case 'loaded': {
      const seeds = rejoinSeeds(loaded.snapshot);
      const { incarnation, members, savedAt } = loaded.snapshot;
      log.info({ file, incarnation, members: members.length, savedAt, seeds }, 'snapshot loaded');
      return { snapshot: loaded.snapshot, seeds };
    }
    default: {
      const unhandled: never = loaded;
      throw new Error(`unhandled snapshot load ${JSON.stringify(unhandled)}`);
    }
  }
}

// ─── Writer ──────────────────────────────────────────────────────────────────────────────

export interface SnapshotWriterOptions {
  readonly dir: string;
  /** Builds the snapshot to write from the agent's current state. */
  readonly build: () => Snapshot;
  readonly onError: (error: Error) => void;
  /** Default SNAPSHOT_MIN_INTERVAL_MS. */
  readonly minIntervalMs?: number;
  /** Monotonic clock, ms. */
  readonly nowMs: () => number;
}

/**
 * Writes the snapshot when membership changes, at most once per minIntervalMs (a join of a big
 * cluster changes thousands of rows in a second), one write at a time, and once more at close.
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastWriteMs = -Infinity;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Completed writes, for tests and logs. */
  writes = 0;

  constructor(private readonly options: SnapshotWriterOptions) {}

  /** Something worth remembering changed: write soon. */
  changed(): void {
    if (this.closed || this.timer !== undefined) return;
    const minIntervalMs = this.options.minIntervalMs ?? SNAPSHOT_MIN_INTERVAL_MS;
    const delayMs = Math.max(0, this.lastWriteMs + minIntervalMs - this.options.nowMs());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, delayMs);
    // A pending snapshot must not keep a stopping process alive; close() writes the last one.
    this.timer.unref();
  }

  /** Writes a final snapshot and waits for every write to finish. Never rejects. */
  async close(): Promise<void> {
    if (this.closed) return this.writing;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return this.writeNow();
  }

  private writeNow(): Promise<void> {
    this.lastWriteMs = this.options.nowMs();
    let snapshot: Snapshot;
    try {
      snapshot = this.options.build();
    } catch (error) {
      this.options.onError(error as Error);
      return this.writing;
    }
    this.writing = this.writing
      .then(() => writeSnapshotFile(this.options.dir, snapshot))
      .then(() => {
        this.writes++;
      })
      .catch((error: unknown) => this.options.onError(error instanceof Error ? error : new Error(String(error))));
    return this.writing;
  }
}

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────

function fail(reason: string): ParsedSnapshot {
  return { ok: false, reason };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= LIMITS.maxUint32;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
