import { fnv1aText, spreadHash } from './hash.js';
import { Interner } from './interner.js';
import { addressKey, sameAddress, sameTags, type Address, type NodeName, type Tags } from './types.js';

/** A member name held once, with the two hashes the table needs of it, worked out once. */
export interface RosterName {
  readonly name: NodeName;
  /** FNV-1a of the name, not yet unsigned: where a table digest term starts. */
  readonly digestHash: number;
  /** The name's position on the hash ring (spreadHash). */
  readonly ringHash: number;
}

/** One distinct (address, tags) pair: what an `alive` says about where a member is and what it is. */
export interface RosterRecord {
  readonly addr: Address;
  readonly tags: Tags;
  /** The address's own id: members per address are counted by it. */
  readonly addressId: number;
}

/**
 * Names, addresses and (address, tags) records held once and numbered, so that a member
 * table holds small integers instead of strings and objects. An agent's node has one of its
 * own; the simulator gives one to all its members, so N members' N tables of N entries hold
 * each name, address and tag set once rather than N times. Every id is reference-counted by
 * the tables (and probe orders) that hold it, and reused once nobody does.
 */
export class Roster {
  readonly names = new Interner<RosterName>();
  readonly addresses = new Interner<Address>();
  readonly records = new Interner<RosterRecord>((_id, record) => this.addresses.release(record.addressId));
  /** The record last made for an address object: decoded messages bring new objects, restores and the simulator reuse them. */
  private readonly recordByAddress = new WeakMap<Address, number>();
  /** The record last made for a member name (by name id); ids are checked against the record before use. */
  private readonly recordOfName: number[] = [];

  /** The id of `name`, with one reference more. */
  acquireName(name: NodeName): number {
    return this.names.acquire(name, () => ({ name, digestHash: fnv1aText(name), ringHash: spreadHash(name) }));
  }

  nameOf(id: number): NodeName {
    return this.names.value(id).name;
  }

  /**
   * The id of the record (addr, tags), with one reference more. `nameId`, the member it is
   * for, finds the record other tables hold for it without building the record's key: the
   * common case, as every member learns the same records of everyone.
   */
  acquireRecord(addr: Address, tags: Tags, nameId?: number): number {
    const cached = this.recordByAddress.get(addr) ?? (nameId === undefined ? undefined : this.recordOfName[nameId]);
    if (cached !== undefined) {
      const record = this.records.value(cached);
      if (record !== undefined && sameAddress(record.addr, addr) && sameTags(record.tags, tags)) {
        this.records.retain(cached);
        return cached;
      }
    }
    const key = addressKey(addr);
    const id = this.records.acquire(`${key}\n${JSON.stringify(tags)}`, () => ({
      addr,
      tags,
      addressId: this.addresses.acquire(key, () => addr),
    }));
    this.recordByAddress.set(addr, id);
    if (nameId !== undefined) this.recordOfName[nameId] = id;
    return id;
  }

  recordOf(id: number): RosterRecord {
    return this.records.value(id);
  }

  /** The id of an address given as its addressKey, if some record holds it. */
  addressId(key: string): number | undefined {
    return this.addresses.lookup(key);
  }
}
