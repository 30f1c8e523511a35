import { describe, expect, it } from 'vitest';
import type { Member } from '../../src/protocol/member.js';
import { Membership } from '../../src/protocol/membership.js';
import { addressKey, incarnation, nodeName } from '../../src/protocol/types.js';

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
