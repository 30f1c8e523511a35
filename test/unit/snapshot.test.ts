import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildSnapshot,
  ensureDataDir,
  loadSnapshot,
  MAX_REJOIN_SEEDS,
  parseSnapshot,
  rejoinSeeds,
  SNAPSHOT_FILE,
  SnapshotWriter,
  startingIncarnation,
  writeSnapshotFile,
  type Snapshot,
} from '../../src/agent/snapshot.js';
import type { MemberSnapshot } from '../../src/protocol/events.js';
import { incarnation, nodeName, type MemberStatus } from '../../src/protocol/types.js';

const OWNER = { cluster: 'prod', name: 'n1' };

function member(name: string, status: MemberStatus, port = 7946): MemberSnapshot {
  return {
    name: nodeName(name),
    addr: { host: '10.0.0.1', port },
    incarnation: incarnation(1_700_000_000),
    status,
    tags: { role: 'web' },
    sinceMs: 0,
    statusFrom: nodeName(name),
  };
}

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  const self = { ...member('n1', 'alive'), incarnation: incarnation(1_700_000_123) };
  return { ...buildSnapshot(OWNER, self, [self, member('n2', 'alive', 2), member('n3', 'failed', 3)], 0), ...overrides };
}

describe('snapshot format', () => {
  it('round-trips what buildSnapshot makes, without the agent itself', () => {
    const written = snapshot();
    expect(written.members.map((m) => m.name)).toEqual(['n2', 'n3']);
    expect(written.incarnation).toBe(1_700_000_123);
    expect(parseSnapshot(JSON.stringify(written), OWNER)).toEqual({ ok: true, value: written });
  });

  const valid = JSON.stringify(snapshot());
  it.each([
    ['garbage', 'not json at all \u0000', 'corrupt', /not valid JSON/],
    ['empty', '', 'corrupt', /not valid JSON/],
    ['truncated', valid.slice(0, Math.floor(valid.length / 2)), 'corrupt', /not valid JSON \(corrupt or truncated\)/],
    ['truncated by one byte', valid.slice(0, -1), 'corrupt', /not valid JSON/],
    ['an array', '[1,2]', 'corrupt', /not a JSON object/],
    ['another version', JSON.stringify({ ...snapshot(), version: 2 }), 'unknown-version', /unknown version 2/],
    ['another cluster', JSON.stringify({ ...snapshot(), cluster: 'staging' }), 'foreign', /foreign: .*"staging"/],
    ['another node', JSON.stringify({ ...snapshot(), name: 'n9' }), 'foreign', /foreign: written by "n9"/],
    ['a negative incarnation', JSON.stringify({ ...snapshot(), incarnation: -1 }), 'corrupt', /incarnation -1/],
    ['a fractional incarnation', JSON.stringify({ ...snapshot(), incarnation: 1.5 }), 'corrupt', /incarnation 1.5/],
    ['members not an array', JSON.stringify({ ...snapshot(), members: {} }), 'corrupt', /members is not an array/],
    ['a member with a bad host', JSON.stringify({ ...snapshot(), members: [{ ...snapshot().members[0], addr: 'a b' }] }), 'corrupt', /members\[0\]: addr/],
    ['a member with a bad port', JSON.stringify({ ...snapshot(), members: [{ ...snapshot().members[0], port: 70000 }] }), 'corrupt', /members\[0\]: port/],
    ['a member with a bad status', JSON.stringify({ ...snapshot(), members: [{ ...snapshot().members[0], status: 'zombie' }] }), 'corrupt', /status "zombie"/],
    ['a member with tags too big', JSON.stringify({ ...snapshot(), members: [{ ...snapshot().members[0], tags: { k: 'x'.repeat(600) } }] }), 'corrupt', /members\[0\]: .*tag/],
    ['a member without a name', JSON.stringify({ ...snapshot(), members: [{ ...snapshot().members[0], name: 7 }] }), 'corrupt', /name is not a string/],
  ])('refuses %s, with a reason', (_case, text, reason, error) => {
    const parsed = parseSnapshot(text, OWNER);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toBe(reason);
      expect(parsed.error).toMatch(error);
    }
  });

  it('is pure: the format module reads no files', () => {
    const source = readFileSync(new URL('../../src/agent/snapshot-format.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from\s+['"]node:/);
  });

  it('never throws on random bytes or random cuts of a valid snapshot', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 1_000; i++) {
      const chars = [...valid];
      const at = Math.floor(next() * chars.length);
      chars[at] = String.fromCharCode(Math.floor(next() * 128));
      const text = i % 2 === 0 ? chars.join('') : valid.slice(0, Math.floor(next() * valid.length));
      expect(() => parseSnapshot(text, OWNER)).not.toThrow();
    }
  });
});

describe('starting incarnation and rejoin seeds', () => {
  it.each([
    ['no snapshot: the wall clock', 1_800_000_000, undefined, 1_800_000_000],
    ['an older snapshot: the wall clock', 1_800_000_000, incarnation(1_700_000_000), 1_800_000_000],
    ['restarted within the same second', 1_800_000_000, incarnation(1_800_000_000), 1_800_000_001],
    ['after many refutations, ahead of the clock', 1_800_000_000, incarnation(1_800_000_500), 1_800_000_501],
    ['at the u32 ceiling', 1_800_000_000, incarnation(0xffff_ffff), 0xffff_ffff],
  ])('%s', (_case, wall, remembered, expected) => {
    expect(startingIncarnation(wall, remembered)).toBe(expected);
  });

  it('contacts alive members first, skips those that left, and at most MAX_REJOIN_SEEDS', () => {
    const statuses: MemberStatus[] = ['failed', 'left', 'alive', 'suspect'];
    const others = Array.from({ length: 20 }, (_, i) => member(`m${i}`, statuses[i % 4] ?? 'alive', 8000 + i));
    const seeds = rejoinSeeds(buildSnapshot(OWNER, member('n1', 'alive'), others, 0));
    expect(seeds).toHaveLength(MAX_REJOIN_SEEDS);
    const alive = others.filter((m) => m.status === 'alive').map((m) => `10.0.0.1:${m.addr.port}`);
    expect(seeds.slice(0, alive.length).sort()).toEqual(alive.sort());
    const left = others.filter((m) => m.status === 'left').map((m) => `10.0.0.1:${m.addr.port}`);
    expect(seeds.some((s) => left.includes(s))).toBe(false);
  });

  it('gives no seeds when every remembered member left', () => {
    expect(rejoinSeeds(buildSnapshot(OWNER, member('n1', 'alive'), [member('n2', 'left')], 0))).toEqual([]);
  });
});

describe('snapshot files', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gossipd-snapshot-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically: the snapshot reads back and no temporary file is left', async () => {
    await writeSnapshotFile(dir, snapshot());
    await writeSnapshotFile(dir, snapshot({ incarnation: incarnation(1_700_000_999) }));
    expect(await readdir(dir)).toEqual([SNAPSHOT_FILE]);
    expect(await loadSnapshot(dir, OWNER)).toEqual({
      kind: 'loaded',
      snapshot: snapshot({ incarnation: incarnation(1_700_000_999) }),
    });
  });

  it('reports no snapshot in an empty dir, and ignores (never throws on) a bad one', async () => {
    expect(await loadSnapshot(dir, OWNER)).toEqual({ kind: 'none' });
    await writeFile(join(dir, SNAPSHOT_FILE), '{"version":1,"clus');
    expect(await loadSnapshot(dir, OWNER)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/truncated/) });
    await writeSnapshotFile(dir, snapshot());
    expect(await loadSnapshot(dir, { cluster: 'prod', name: 'n2' })).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/foreign/) });
    await rm(join(dir, SNAPSHOT_FILE));
    await mkdir(join(dir, SNAPSHOT_FILE));
    expect(await loadSnapshot(dir, OWNER)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/not a regular file/) });
  });

  it('the writer coalesces bursts of changes, and writes once more at close', async () => {
    let current = 1;
    const errors: Error[] = [];
    const writer = new SnapshotWriter({
      dir,
      minIntervalMs: 500,
      nowMs: () => performance.now(),
      build: () => snapshot({ incarnation: incarnation(current) }),
      onError: (error) => errors.push(error),
    });
    const until = async (writes: number): Promise<number> => {
      const started = performance.now();
      while (writer.writes < writes && performance.now() - started < 5_000) await new Promise((resolve) => setTimeout(resolve, 5));
      return performance.now();
    };
    const firstAt = performance.now();
    for (let i = 0; i < 100; i++) writer.changed();
    await until(1);
    current = 2;
    for (let i = 0; i < 100; i++) writer.changed();
    const secondAt = await until(2);
    expect(writer.writes).toBe(2); // 200 changes, two writes
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(450); // held back by minIntervalMs
    current = 3;
    await writer.close();
    expect(writer.writes).toBe(3);
    expect(errors).toEqual([]);
    const text = await readFile(join(dir, SNAPSHOT_FILE), 'utf8');
    expect(parseSnapshot(text, OWNER)).toMatchObject({ ok: true, value: { incarnation: 3 } });
  });

  it.each([
    ['under /proc', () => '/proc/gossipd-no-such/dir'],
    ['below a dangling symlink', () => join(dir, 'dangling', 'data')],
    ['below a file', () => join(dir, 'file', 'data')],
    ['that is a file', () => join(dir, 'file')],
  ])('refuses, and never hangs on, a data dir %s', async (_case, path) => {
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    await writeFile(join(dir, 'file'), 'x');
    await expect(ensureDataDir(path())).rejects.toThrow(/^cannot create --data-dir "/);
  });

  it('creates a missing data dir with its parents', async () => {
    await ensureDataDir(join(dir, 'a', 'b', 'c'));
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['c']);
    await ensureDataDir(join(dir, 'a', 'b', 'c')); // and accepts one that exists
  });

  it('the writer reports a failed write and keeps going', async () => {
    const errors: Error[] = [];
    const writer = new SnapshotWriter({
      dir: join(dir, 'missing', 'deeper'),
      nowMs: () => performance.now(),
      build: () => snapshot(),
      onError: (error) => errors.push(error),
    });
    writer.changed();
    await writer.close();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(/ENOENT/);
  });
});
