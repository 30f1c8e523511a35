import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join, parse, relative, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { AGENT_LIMITS } from './limits.js';
import { parseSnapshot, rejoinSeeds, type Snapshot, type SnapshotOwner } from './snapshot-format.js';

/** The snapshot in the data dir: reading it at start, replacing it atomically, creating the dir. */
export const SNAPSHOT_FILE = 'snapshot.json';
/** What reading the data dir found: nothing yet, a usable snapshot, or one to ignore (and why). */
export type SnapshotLoad =
  | { readonly kind: 'none' }
  | { readonly kind: 'loaded'; readonly snapshot: Snapshot }
  | { readonly kind: 'ignored'; readonly reason: string };

export function snapshotPath(dir: string): string {
  return join(dir, SNAPSHOT_FILE);
}

/** Reads the data dir's snapshot. Never rejects: an unreadable file is "ignored" with the reason. */
export async function loadSnapshot(dir: string, owner: SnapshotOwner): Promise<SnapshotLoad> {
  const path = snapshotPath(dir);
  try {
    const info = await stat(path);
    if (!info.isFile()) return { kind: 'ignored', reason: `${path} is not a regular file` };
    if (info.size > AGENT_LIMITS.maxSnapshotBytes) return { kind: 'ignored', reason: `${info.size} bytes (max ${AGENT_LIMITS.maxSnapshotBytes})` };
    const parsed = parseSnapshot(await readFile(path, 'utf8'), owner);
    return parsed.ok ? { kind: 'loaded', snapshot: parsed.value } : { kind: 'ignored', reason: parsed.error };
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

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
