import { describe, expect, it } from 'vitest';
import type { Member } from '../../src/protocol/member.js';
import { Membership } from '../../src/protocol/membership.js';
import { ProbeOrder } from '../../src/protocol/probe-order.js';
import { seededRandom } from '../../src/protocol/random.js';
import { Roster } from '../../src/protocol/roster.js';
import { addressKey, incarnation, nodeName, type MemberStatus, type Tags } from '../../src/protocol/types.js';

function member(name: string, addr = { host: '127.0.0.1', port: 7946 }): Member {
  return {
    name: nodeName(name),
    addr,
    incarnation: incarnation(1),
    status: 'alive',
    tags: {},
    sinceMs: 0,
    statusFrom: nodeName(name),
  };
}

describe('Membership.version', () => {
  it('moves on every add, state change (an incarnation alone included) and removal', () => {
    const table = new Membership();
    const seen = [table.version];
    const a = member('a');
    table.add(a);
    seen.push(table.version);
    table.setState(a, 'alive', incarnation(2));
    seen.push(table.version);
    table.setState(a, 'suspect', incarnation(2));
    seen.push(table.version);
    table.remove(nodeName('a'));
    seen.push(table.version);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('stays put while nothing changes', () => {
    const table = new Membership();
    table.add(member('a'));
    const version = table.version;
    table.get(nodeName('a'));
    table.all();
    table.remove(nodeName('nobody'));
    expect(table.version).toBe(version);
  });
});

describe('Membership.hasAddress', () => {
  it('follows members as they appear, move and are removed, with two names at one address', () => {
    const table = new Membership();
    const one = { host: '10.0.0.1', port: 1 };
    const two = { host: '10.0.0.2', port: 1 };
    const a = member('a', one);
    const b = member('b', one); // a restart under a new name, or a conflict
    table.add(a);
    table.add(b);
    expect(table.hasAddress(addressKey(one))).toBe(true);
    table.setAddress(a, two);
    expect(table.hasAddress(addressKey(one))).toBe(true);
    expect(table.hasAddress(addressKey(two))).toBe(true);
    table.remove(nodeName('b'));
    expect(table.hasAddress(addressKey(one))).toBe(false);
    table.remove(nodeName('a'));
    table.remove(nodeName('a'));
    expect(table.hasAddress(addressKey(two))).toBe(false);
  });
});

function memberAt(name: string, index: number, status: MemberStatus = 'alive', tags: Tags = {}): Member {
  return {
    name: nodeName(name),
    addr: { host: `10.0.${index >> 8}.${index & 255}`, port: 7946 },
    incarnation: incarnation(1000 + index),
    status,
    tags,
    sinceMs: index * 1.5,
    statusFrom: nodeName(name),
  };
}

/** The digest worked out row by row: a sum over rows of FNV-1a(name, incarnation, status) through murmur3's finaliser. */
function digestOf(table: Membership): number {
  let sum = 0;
  for (const row of table.all()) {
    let h = 0x811c9dc5;
    for (let i = 0; i < row.name.length; i++) h = Math.imul(h ^ row.name.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (row.incarnation & 0xffff), 0x01000193);
    h = Math.imul(h ^ (row.incarnation >>> 16), 0x01000193);
    h = Math.imul(h ^ ['alive', 'suspect', 'failed', 'left'].indexOf(row.status), 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    sum = (sum + ((h ^ (h >>> 16)) >>> 0)) >>> 0;
  }
  return sum;
}

describe('Membership (columns over a roster)', () => {
  it('reads back every field of every row, past its initial capacity', () => {
    const table = new Membership();
    const rows = Array.from({ length: 300 }, (_, i) => memberAt(`m-${i}`, i, i % 7 === 0 ? 'suspect' : 'alive', { zone: `z${i % 3}` }));
    for (const row of rows) table.add(row);
    expect(table.size).toBe(300);
    for (const row of rows) expect(table.get(row.name)).toEqual(row);
    expect(table.count('suspect')).toBe(rows.filter((r) => r.status === 'suspect').length);
    expect(table.activeCount).toBe(300);
    expect(table.digest).toBe(digestOf(table));
  });

  it('moves the last row into a removed one, keeping every other row and the digest right', () => {
    const table = new Membership();
    for (let i = 0; i < 10; i++) table.add(memberAt(`m-${i}`, i));
    table.remove(nodeName('m-3'));
    expect(table.all().map((m) => m.name)).toEqual(['m-0', 'm-1', 'm-2', 'm-9', 'm-4', 'm-5', 'm-6', 'm-7', 'm-8']);
    expect(table.get(nodeName('m-3'))).toBeUndefined();
    expect(table.get(nodeName('m-9'))).toEqual(memberAt('m-9', 9));
    table.remove(nodeName('m-8')); // the last row: nothing moves
    expect(table.size).toBe(8);
    expect(table.digest).toBe(digestOf(table));
    table.add(memberAt('m-3', 3));
    expect(table.get(nodeName('m-3'))).toEqual(memberAt('m-3', 3));
    expect(table.digest).toBe(digestOf(table));
  });

  it('keeps counts, ring and digest right through state changes, and an empty table digests to 0', () => {
    const table = new Membership();
    for (let i = 0; i < 20; i++) table.add(memberAt(`m-${i}`, i));
    table.setState({ name: nodeName('m-1') }, 'failed', incarnation(5000));
    table.setState({ name: nodeName('m-2') }, 'left', incarnation(1002));
    table.setState({ name: nodeName('m-3') }, 'suspect', incarnation(1003));
    expect(table.count('failed')).toBe(1);
    expect(table.count('left')).toBe(1);
    expect(table.activeCount).toBe(18);
    expect(table.ring.size).toBe(18);
    expect(table.digest).toBe(digestOf(table));
    table.setState({ name: nodeName('m-1') }, 'alive', incarnation(5001));
    expect(table.ring.size).toBe(19);
    expect(table.digest).toBe(digestOf(table));
    for (let i = 0; i < 20; i++) table.remove(nodeName(`m-${i}`));
    expect(table.digest).toBe(0);
    expect(table.ring.size).toBe(0);
  });

  it('sets origin, tags and address through its methods only, each moving the version', () => {
    const table = new Membership();
    table.add(memberAt('a', 1));
    const a = { name: nodeName('a') };
    let version = table.version;
    table.setOrigin(a, 42.5, nodeName('b'));
    expect(table.get(a.name)).toMatchObject({ sinceMs: 42.5, statusFrom: 'b' });
    expect(table.version).toBeGreaterThan(version);
    version = table.version;
    table.setTags(a, { role: 'db' });
    expect(table.get(a.name)?.tags).toEqual({ role: 'db' });
    expect(table.version).toBeGreaterThan(version);
    const moved = { host: '10.9.9.9', port: 1 };
    table.setRecord(a, moved, { role: 'web' });
    expect(table.get(a.name)).toMatchObject({ addr: moved, tags: { role: 'web' } });
    expect(table.hasAddress(addressKey(moved))).toBe(true);
    expect(table.hasAddress(addressKey(memberAt('a', 1).addr))).toBe(false);
  });

  it('counts members per address: two names at one address, moved and removed', () => {
    const table = new Membership();
    const shared = { host: '10.0.0.1', port: 1 };
    table.add({ ...memberAt('a', 1), addr: shared });
    table.add({ ...memberAt('b', 2), addr: { ...shared } });
    table.setAddress({ name: nodeName('a') }, { host: '10.0.0.2', port: 1 });
    expect(table.hasAddress('10.0.0.1:1')).toBe(true);
    table.remove(nodeName('b'));
    expect(table.hasAddress('10.0.0.1:1')).toBe(false);
    expect(table.hasAddress('10.0.0.2:1')).toBe(true);
    expect(table.hasAddress('10.0.0.3:1')).toBe(false);
  });

  it('rejects a second row for one name and changes to a name it does not hold', () => {
    const table = new Membership();
    table.add(memberAt('a', 1));
    expect(() => table.add(memberAt('a', 2))).toThrow(/already present/);
    expect(() => table.setState({ name: nodeName('zz') }, 'failed', incarnation(1))).toThrow(/not in the table/);
  });
});

describe('Roster shared by many tables', () => {
  it('holds each name, address and tag set once, and forgets them when the last table lets go', () => {
    const roster = new Roster();
    const tables = Array.from({ length: 5 }, () => new Membership(roster));
    const rows = Array.from({ length: 50 }, (_, i) => memberAt(`m-${i}`, i, 'alive', { zone: 'a' }));
    for (const table of tables) for (const row of rows) table.add({ ...row, addr: { ...row.addr }, tags: { zone: 'a' } });
    expect(roster.names.size).toBe(50);
    expect(roster.records.size).toBe(50);
    expect(roster.addresses.size).toBe(50);
    expect(roster.tagSets.size).toBe(1); // fifty members, one tag set: one object for all
    expect(tables[0]?.get(nodeName('m-1'))?.tags).toBe(tables[4]?.get(nodeName('m-2'))?.tags);
    for (const table of tables) expect(table.get(nodeName('m-7'))).toEqual(rows[7]);
    // A table's own change does not leak into the others.
    tables[0]?.setTags({ name: nodeName('m-7') }, { zone: 'b' });
    expect(tables[1]?.get(nodeName('m-7'))?.tags).toEqual({ zone: 'a' });
    for (const table of tables) table.clear();
    expect(roster.names.size).toBe(0);
    expect(roster.records.size).toBe(0);
    expect(roster.addresses.size).toBe(0);
    expect(roster.tagSets.size).toBe(0);
  });

  it('reuses a forgotten id for a new name without confusing a table that never held it', () => {
    const roster = new Roster();
    const one = new Membership(roster);
    const two = new Membership(roster);
    one.add(memberAt('old', 1));
    two.add(memberAt('other', 2));
    one.remove(nodeName('old'));
    one.add(memberAt('new', 3));
    expect(one.get(nodeName('old'))).toBeUndefined();
    expect(two.get(nodeName('new'))).toBeUndefined();
    expect(two.get(nodeName('other'))).toEqual(memberAt('other', 2));
    expect(one.get(nodeName('new'))).toEqual(memberAt('new', 3));
  });
});

describe('ProbeOrder over roster ids', () => {
  it('keeps a member inserted after a pass found nobody to probe', () => {
    const roster = new Roster();
    const order = new ProbeOrder(seededRandom(1), roster);
    expect(order.next(() => true, () => new Int32Array(0))).toBeUndefined();
    const id = roster.acquireName(nodeName('late'));
    order.insert(id);
    expect(order.next(() => true, () => new Int32Array(0))).toBe(id);
  });

  it('holds a reference on each id it lists, so a listed id is never given to another name', () => {
    const roster = new Roster();
    const order = new ProbeOrder(seededRandom(1), roster);
    const id = roster.acquireName(nodeName('gone'));
    order.insert(id);
    roster.names.release(id); // the table forgot it
    expect(roster.names.references(id)).toBe(1);
    expect(roster.acquireName(nodeName('fresh'))).not.toBe(id);
    order.clear();
    expect(roster.names.references(id)).toBe(0);
  });
});

describe('HashRing over roster ids', () => {
  it('orders members appended in bulk exactly as members inserted one by one', () => {
    const roster = new Roster();
    const names = Array.from({ length: 200 }, (_, i) => nodeName(`ring-${i}`));
    const ids = names.map((name) => roster.acquireName(name));
    const oneByOne = new Membership(roster).ring;
    const bulk = new Membership(roster).ring;
    for (const id of ids) oneByOne.insert(id);
    for (const id of ids) bulk.append(id);
    const walk = (ring: typeof bulk): string[] => {
      const order: string[] = [];
      let at = names[0] as (typeof names)[number];
      for (let i = 0; i < names.length; i++) {
        at = ring.after(at, () => true) ?? at;
        order.push(at);
      }
      return order;
    };
    expect(walk(bulk)).toEqual(walk(oneByOne));
    expect(new Set(walk(bulk)).size).toBe(names.length);
    bulk.remove(ids[7] as number);
    oneByOne.remove(ids[7] as number);
    expect(bulk.size).toBe(199);
    expect(walk(bulk)).toEqual(walk(oneByOne));
    expect(bulk.before(names[3] as (typeof names)[number], 3, () => true)).toEqual(oneByOne.before(names[3] as (typeof names)[number], 3, () => true));
  });
});
