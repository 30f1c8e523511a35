import { spreadHash } from './hash.js';
import { grownInt32, Interner } from './interner.js';
import { addressKey, sameTags, type Address, type NodeName, type Tags } from './types.js';

const NONE = -1;

/**
 * Names, addresses and (address, tags) records held once and numbered, so that a member
 * table holds small integers instead of strings and objects. An agent's node has one of its
 * own; the simulator gives one to all its members, so N members' N tables of N entries hold
 * each name, address and tag set once rather than N times. Every id is reference-counted by
 * the tables (and probe orders) that hold it, and reused once nobody does. Per member it
 * keeps the name and address (with their map entries), the tags object, and a few numbers.
 */
export class Roster {
  readonly names = new Interner<NodeName>(
    (name) => name,
    (id, name) => this.onNewName(id, name),
  );
  readonly addresses = new Interner<Address>(addressKey);
  /**
   * Distinct tag sets, by content: a cluster has few (role, zone, version…), so the thousands
   * of members that share one share its object and strings too.
   */
  readonly tagSets = new Interner<Tags>(tagSetKey);
  readonly records = new RecordTable(this.addresses, this.tagSets);
  /** Each name's position on the hash ring (spreadHash), worked out once. */
  private ringHashes: Uint32Array = new Uint32Array(16);
  /** The record last made for a member name, by name id: found again without a search. Checked before use. */
  private recordOfName: Int32Array = new Int32Array(16);

  /** The id of `name`, with one reference more. */
  acquireName(name: NodeName): number {
    return this.names.acquire(name, () => name);
  }

  nameOf(id: number): NodeName {
    return this.names.value(id);
  }

  ringHashOf(id: number): number {
    return this.ringHashes[id] as number;
  }

  /**
   * The id of the record (addr, tags), with one reference more. `nameId`, the member it is
   * for, finds the record other tables hold for it at once: the common case, as every member
   * learns the same records of everyone.
   */
  acquireRecord(addr: Address, tags: Tags, nameId?: number): number {
    if (nameId !== undefined) {
      const cached = this.recordOfName[nameId] as number;
      if (cached !== NONE && this.records.matches(cached, addr, tags)) {
        this.records.retain(cached);
        return cached;
      }
    }
    const id = this.records.acquire(addr, tags);
    if (nameId !== undefined) this.recordOfName[nameId] = id;
    return id;
  }

  recordAddr(id: number): Address {
    return this.records.addrOf(id);
  }

  recordTags(id: number): Tags {
    return this.records.tagsOf(id);
  }

  recordAddressId(id: number): number {
    return this.records.addressIdOf(id);
  }

  /** The id of an address given as its addressKey, if some record holds it. */
  addressId(key: string): number | undefined {
    return this.addresses.lookup(key);
  }

  private onNewName(id: number, name: NodeName): void {
    if (id >= this.ringHashes.length) {
      const grown = new Uint32Array(Math.max(id + 1, Math.ceil(this.ringHashes.length * 1.5)));
      grown.set(this.ringHashes);
      this.ringHashes = grown;
      this.recordOfName = grownInt32(this.recordOfName, grown.length, NONE);
    }
    this.ringHashes[id] = spreadHash(name);
    this.recordOfName[id] = NONE;
  }
}

/** A tag set's key: its JSON (the same tags in another key order make a second entry, which is harmless). */
function tagSetKey(tags: Tags): string {
  return JSON.stringify(tags);
}

/**
 * Distinct (address, tags) pairs, found through their address: each address chains the few
 * records that use it (usually one), so no key string is built or kept per record.
 */
export class RecordTable {
  private readonly addrs: (Address | undefined)[] = [];
  private readonly tags: (Tags | undefined)[] = [];
  private addressIds: Int32Array = new Int32Array(16);
  private tagSetIds: Int32Array = new Int32Array(16);
  private refs: Int32Array = new Int32Array(16);
  /** The next record at the same address, or NONE. */
  private nextAtAddress: Int32Array = new Int32Array(16);
  /** By address id: the first record at that address, or NONE. */
  private firstAtAddress: Int32Array = new Int32Array(0);
  private readonly free: number[] = [];
  private count = 0;

  constructor(
    private readonly addresses: Interner<Address>,
    private readonly tagSets: Interner<Tags>,
  ) {}

  get size(): number {
    return this.count;
  }

  /** The id of the record (addr, tags), made if new, with one reference more. */
  acquire(addr: Address, tags: Tags): number {
    const key = addressKey(addr);
    const known = this.addresses.lookup(key);
    if (known !== undefined) {
      for (let id = this.firstAtAddress[known] as number; id !== NONE; id = this.nextAtAddress[id] as number) {
        if (sameTags(this.tags[id] as Tags, tags)) {
          this.retain(id);
          return id;
        }
      }
    }
    const addressId = this.addresses.acquire(key, () => addr);
    const tagSetId = this.tagSets.acquire(tagSetKey(tags), () => tags);
    const id = this.free.pop() ?? this.addrs.length;
    this.ensureRoom(id, addressId);
    this.addrs[id] = this.addresses.value(addressId);
    this.tags[id] = this.tagSets.value(tagSetId);
    this.addressIds[id] = addressId;
    this.tagSetIds[id] = tagSetId;
    this.refs[id] = 1;
    this.nextAtAddress[id] = known === undefined ? NONE : (this.firstAtAddress[addressId] as number);
    this.firstAtAddress[addressId] = id;
    this.count++;
    return id;
  }

  /** Whether record `id` is in use and says (addr, tags), by content. */
  matches(id: number, addr: Address, tags: Tags): boolean {
    const held = this.addrs[id];
    return held !== undefined && held.port === addr.port && held.host === addr.host && sameTags(this.tags[id] as Tags, tags);
  }

  retain(id: number): void {
    this.refs[id] = (this.refs[id] as number) + 1;
  }

  release(id: number): void {
    const left = (this.refs[id] as number) - 1;
    this.refs[id] = left;
    if (left > 0) return;
    if (left < 0) throw new Error(`record ${id} released more often than acquired`);
    const addressId = this.addressIds[id] as number;
    // Unchain it from its address.
    if (this.firstAtAddress[addressId] === id) {
      this.firstAtAddress[addressId] = this.nextAtAddress[id] as number;
    } else {
      let at = this.firstAtAddress[addressId] as number;
      while (this.nextAtAddress[at] !== id) at = this.nextAtAddress[at] as number;
      this.nextAtAddress[at] = this.nextAtAddress[id] as number;
    }
    this.addrs[id] = undefined;
    this.tags[id] = undefined;
    this.free.push(id);
    this.count--;
    this.addresses.release(addressId);
    this.tagSets.release(this.tagSetIds[id] as number);
  }

  addrOf(id: number): Address {
    return this.addrs[id] as Address;
  }

  tagsOf(id: number): Tags {
    return this.tags[id] as Tags;
  }

  addressIdOf(id: number): number {
    return this.addressIds[id] as number;
  }

  references(id: number): number {
    return id < this.refs.length ? (this.refs[id] as number) : 0;
  }

  private ensureRoom(id: number, addressId: number): void {
    if (id >= this.refs.length) {
      const length = Math.max(id + 1, Math.ceil(this.refs.length * 1.5));
      this.addressIds = grownInt32(this.addressIds, length, 0);
      this.tagSetIds = grownInt32(this.tagSetIds, length, 0);
      this.refs = grownInt32(this.refs, length, 0);
      this.nextAtAddress = grownInt32(this.nextAtAddress, length, NONE);
    }
    if (addressId >= this.firstAtAddress.length) {
      this.firstAtAddress = grownInt32(this.firstAtAddress, Math.max(addressId + 1, Math.ceil(this.firstAtAddress.length * 1.5), 16), NONE);
    }
  }
}
