import { isActive, type Member } from './member.js';
import { grownInt32 } from './interner.js';
import { sampleIndices, type Random } from './random.js';
import { HashRing } from './ring.js';
import { Roster } from './roster.js';
import { bucketOfHash, TableDigest } from './table-digest.js';
import {
  incarnation as toIncarnation,
  MEMBER_STATUSES,
  STATUS_RANK,
  type Address,
  type Incarnation,
  type MemberStatus,
  type NodeName,
  type Tags,
} from './types.js';

/** Which member a method is about: its name (a Member or MemberSnapshot does). */
interface Named {
  readonly name: NodeName;
}

/** What slotOf says of a name not in the table. */
export const ABSENT_SLOT = -1;
const ABSENT = ABSENT_SLOT;

/**
 * How long a per-id array (or the rows, with `id` the row count) must grow to hold `id`: the
 * roster's whole id range at once (a shared roster already knows every member: in a join
 * storm of 10,000 simulated members, growing each table by half again from 4 rows copied
 * and collected some 7 GB in the first simulated second), and by half again at least, so an
 * agent's table that learns members one by one grows in few steps.
 */
function idRoom(id: number, idBound: number, length: number): number {
  return Math.max(id + 1, idBound, Math.ceil(length * 1.5), 8);
}

/**
 * The member table. Rows are columns of typed arrays indexed by slot (a member's place in
 * the table, dense, so random choices are O(1)); names, addresses and tags are ids into a
 * Roster, held once however many tables know them. About 45 bytes a member, against some
 * 300 with an object and three maps per row: what lets the simulator hold 10,000 members'
 * tables of 10,000 (issue 12). Keeps counts per status so n is O(1), and an
 * order-independent digest (sum of entry hashes) updated on every change, so anti-entropy
 * can compare tables without walking them. Rows are read as Member copies (get, all,
 * memberAt) and changed only through the methods here.
 */
export class Membership {
  readonly roster: Roster;
  /** Active members (alive and suspect) on the hash ring, for the ring probe schedule. */
  readonly ring: HashRing;

  private length = 0;
  private nameIds: Int32Array = new Int32Array(0);
  private incarnations: Uint32Array = new Uint32Array(0);
  private statuses: Uint8Array = new Uint8Array(0);
  private sinces: Float64Array = new Float64Array(0);
  private froms: Int32Array = new Int32Array(0);
  private recordIds: Int32Array = new Int32Array(0);
  /** Slot of each roster name id, or ABSENT. */
  private slotOfId: Int32Array = new Int32Array(0);
  /** Members per roster address id (two names can share one: a restart under a new name, a conflict). */
  private atAddress: Int32Array = new Int32Array(0);
  /** The name id of the member that last took each address id (ABSENT: none known): who sent a datagram, when only one member is there. */
  private holderAt: Int32Array = new Int32Array(0);
  private readonly counts: Record<MemberStatus, number> = { alive: 0, suspect: 0, failed: 0, left: 0 };
  /** The table's digest, whole and by bucket (anti-entropy by difference). */
  readonly digests = new TableDigest();
  private changes = 0;

  constructor(roster: Roster = new Roster()) {
    this.roster = roster;
    this.ring = new HashRing(roster);
  }

  get(name: NodeName): Member | undefined {
    const slot = this.slotOf(name);
    return slot === ABSENT ? undefined : this.memberAt(slot);
  }

  has(name: NodeName): boolean {
    return this.slotOf(name) !== ABSENT;
  }

  statusOf(name: NodeName): MemberStatus | undefined {
    const slot = this.slotOf(name);
    return slot === ABSENT ? undefined : this.statusAt(slot);
  }

  /** All members, self included, in slot order (copies: O(n), for whole-table work only). */
  all(): Member[] {
    const members: Member[] = new Array(this.length);
    for (let slot = 0; slot < this.length; slot++) members[slot] = this.memberAt(slot);
    return members;
  }

  /** Members in slots 0 … size − 1; the slot of a member moves when another is removed. */
  get size(): number {
    return this.length;
  }

  memberAt(slot: number): Member {
    const record = this.recordIds[slot] as number;
    return {
      name: this.nameAt(slot),
      addr: this.roster.recordAddr(record),
      incarnation: this.incarnationAt(slot),
      status: this.statusAt(slot),
      tags: this.roster.recordTags(record),
      sinceMs: this.sinces[slot] as number,
      statusFrom: this.roster.nameOf(this.froms[slot] as number),
    };
  }

  /** The digest bucket of a slot's member when the table is split into `count` (see bucketOf). */
  bucketAt(slot: number, count: number): number {
    return bucketOfHash(this.roster.ringHashOf(this.nameIds[slot] as number), count);
  }

  nameAt(slot: number): NodeName {
    return this.roster.nameOf(this.nameIds[slot] as number);
  }

  statusAt(slot: number): MemberStatus {
    return MEMBER_STATUSES[this.statuses[slot] as number] as MemberStatus;
  }

  incarnationAt(slot: number): Incarnation {
    return toIncarnation(this.incarnations[slot] as number);
  }

  sinceAt(slot: number): number {
    return this.sinces[slot] as number;
  }

  addrAt(slot: number): Address {
    return this.roster.recordAddr(this.recordIds[slot] as number);
  }

  tagsAt(slot: number): Tags {
    return this.roster.recordTags(this.recordIds[slot] as number);
  }

  /** Roster id of the member in `slot` (stable while it stays in the table, unlike the slot). */
  idAt(slot: number): number {
    return this.nameIds[slot] as number;
  }

  /** Whether the member with roster id `id` is in the table and active. */
  isActiveId(id: number): boolean {
    const slot = id < this.slotOfId.length ? (this.slotOfId[id] as number) : ABSENT;
    return slot !== ABSENT && isActive(this.statusAt(slot));
  }

  /**
   * Up to `count` distinct members, uniformly among those `accept` takes (given their slot),
   * drawing from `random` exactly as random.sample does over the table in slot order.
   */
  sample(random: Random, count: number, accept: (slot: number) => boolean): Member[] {
    return sampleIndices(random, this.length, count, accept).map((slot) => this.memberAt(slot));
  }

  /** Members that take part: alive and suspect, self included (the n of the formulas). */
  get activeCount(): number {
    return this.counts.alive + this.counts.suspect;
  }

  count(status: MemberStatus): number {
    return this.counts[status];
  }

  /** Counts changes to the table: any change to a row moves it, so a view cached under this number stays right. */
  get version(): number {
    return this.changes;
  }

  get digest(): number {
    return this.digests.value;
  }

  /** Room for `extra` more members without growing step by step (a restore of a whole table). */
  reserve(extra: number): void {
    if (this.length + extra > this.nameIds.length) this.growRows(this.length + extra);
    this.ring.reserve(extra);
    // A shared roster may know all of them already: size the per-id arrays to it in one step.
    const names = this.roster.names.idBound;
    if (names > this.slotOfId.length) this.slotOfId = grownInt32(this.slotOfId, names, ABSENT);
    const addresses = this.roster.addresses.idBound;
    if (addresses > this.atAddress.length) this.atAddress = grownInt32(this.atAddress, addresses, 0);
    if (addresses > this.holderAt.length) this.holderAt = grownInt32(this.holderAt, addresses, ABSENT);
  }

  /** Adds a member not in the table; returns its slot. `inBulk`: one of many added at once (the ring sorts them once, later). */
  add(member: Member, inBulk = false): number {
    if (this.has(member.name)) throw new Error(`member ${member.name} already present`);
    const roster = this.roster;
    const id = roster.acquireName(member.name);
    if (this.length === this.nameIds.length) this.growRows(idRoom(this.length, roster.names.idBound, this.length));
    this.ensureIdRoom(id);
    const slot = this.length++;
    this.nameIds[slot] = id;
    this.slotOfId[id] = slot;
    this.incarnations[slot] = member.incarnation;
    this.statuses[slot] = STATUS_RANK[member.status];
    this.sinces[slot] = member.sinceMs;
    this.froms[slot] = roster.acquireName(member.statusFrom);
    this.recordIds[slot] = this.holdRecord(member.addr, member.tags, id);
    this.counts[member.status]++;
    this.addDigestTerm(member.name, member.incarnation, member.status);
    if (isActive(member.status)) {
      if (inBulk) this.ring.append(id);
      else this.ring.insert(id);
    }
    this.changes++;
    return slot;
  }

  /** Changes status and incarnation through here so counts, ring and digest stay right. */
  setState(member: Named, status: MemberStatus, incarnation: Incarnation): void {
    const slot = this.slotOrThrow(member.name);
    const was = this.statusAt(slot);
    this.removeDigestTerm(member.name, this.incarnationAt(slot), was);
    this.counts[was]--;
    if (isActive(was) !== isActive(status)) {
      if (isActive(status)) this.ring.insert(this.nameIds[slot] as number);
      else this.ring.remove(this.nameIds[slot] as number);
    }
    this.statuses[slot] = STATUS_RANK[status];
    this.incarnations[slot] = incarnation;
    this.counts[status]++;
    this.addDigestTerm(member.name, incarnation, status);
    this.changes++;
  }

  /** When this node saw the member's status change, and who caused it. */
  setOrigin(member: Named, sinceMs: number, statusFrom: NodeName): void {
    const slot = this.slotOrThrow(member.name);
    this.sinces[slot] = sinceMs;
    const from = this.roster.acquireName(statusFrom);
    this.roster.names.release(this.froms[slot] as number);
    this.froms[slot] = from;
    this.changes++;
  }

  setSince(member: Named, sinceMs: number): void {
    this.sinces[this.slotOrThrow(member.name)] = sinceMs;
    this.changes++;
  }

  setTags(member: Named, tags: Tags): void {
    const slot = this.slotOrThrow(member.name);
    const held = this.recordIds[slot] as number;
    if (this.roster.recordTags(held) === tags) return;
    this.recordIds[slot] = this.holdRecord(this.roster.recordAddr(held), tags, this.nameIds[slot]);
    this.releaseRecord(held);
    this.changes++;
  }

  /** Sets what an `alive` says of a member: where it is and its tags. */
  setRecord(member: Named, addr: Address, tags: Tags): void {
    const slot = this.slotOrThrow(member.name);
    const held = this.recordIds[slot] as number;
    this.recordIds[slot] = this.holdRecord(addr, tags, this.nameIds[slot]);
    this.releaseRecord(held);
    this.changes++;
  }

  /** Moves a member to a new address; change addresses only through here, so hasAddress stays right. */
  setAddress(member: Named, addr: Address): void {
    const slot = this.slotOrThrow(member.name);
    const held = this.recordIds[slot] as number;
    this.recordIds[slot] = this.holdRecord(addr, this.roster.recordTags(held), this.nameIds[slot]);
    this.releaseRecord(held);
    this.changes++;
  }

  remove(name: NodeName): void {
    const slot = this.slotOf(name);
    if (slot === ABSENT) return;
    const id = this.nameIds[slot] as number;
    const status = this.statusAt(slot);
    this.counts[status]--;
    this.removeDigestTerm(name, this.incarnationAt(slot), status);
    this.ring.remove(id);
    const fromId = this.froms[slot] as number;
    const recordId = this.recordIds[slot] as number;
    const last = --this.length;
    if (slot !== last) {
      // The last row moves into the gap: the order all() and sample() see is the same as the
      // array-of-rows table's swap-with-last removal, so seeded runs replay unchanged.
      this.nameIds[slot] = this.nameIds[last] as number;
      this.incarnations[slot] = this.incarnations[last] as number;
      this.statuses[slot] = this.statuses[last] as number;
      this.sinces[slot] = this.sinces[last] as number;
      this.froms[slot] = this.froms[last] as number;
      this.recordIds[slot] = this.recordIds[last] as number;
      this.slotOfId[this.nameIds[slot] as number] = slot;
    }
    this.slotOfId[id] = ABSENT;
    this.releaseRecord(recordId);
    this.roster.names.release(fromId);
    this.roster.names.release(id);
    this.changes++;
  }

  /** Whether some member in the table (any status) is at this address (its addressKey): O(1) per datagram. */
  hasAddress(key: string): boolean {
    const id = this.roster.addressId(key);
    return id !== undefined && id < this.atAddress.length && (this.atAddress[id] as number) > 0;
  }

  /** The one member at this address (its addressKey), or undefined when none or several share it: O(1). */
  soleMemberAt(key: string): NodeName | undefined {
    const id = this.roster.addressId(key);
    if (id === undefined || id >= this.atAddress.length || this.atAddress[id] !== 1) return undefined;
    const holder = this.holderAt[id] as number;
    return holder === ABSENT ? undefined : this.roster.nameOf(holder);
  }

  isActive(name: NodeName): boolean {
    const slot = this.slotOf(name);
    return slot !== ABSENT && isActive(this.statusAt(slot));
  }

  /** Drops every row, releasing what the table holds in the roster (a node that is discarded). */
  clear(): void {
    while (this.length > 0) this.remove(this.nameAt(this.length - 1));
  }

  private addDigestTerm(name: NodeName, incarnation: Incarnation, status: MemberStatus): void {
    this.digests.add(name, incarnation, status);
  }

  private removeDigestTerm(name: NodeName, incarnation: Incarnation, status: MemberStatus): void {
    this.digests.remove(name, incarnation, status);
  }

  /** Where `name` is in the table, or ABSENT_SLOT: for hot paths that read a column or two, not the whole row. */
  slotOf(name: NodeName): number {
    const id = this.roster.names.lookup(name);
    return id === undefined || id >= this.slotOfId.length ? ABSENT : (this.slotOfId[id] as number);
  }

  private slotOrThrow(name: NodeName): number {
    const slot = this.slotOf(name);
    if (slot === ABSENT) throw new Error(`member ${name} not in the table`);
    return slot;
  }

  private holdRecord(addr: Address, tags: Tags, nameId?: number): number {
    const recordId = this.roster.acquireRecord(addr, tags, nameId);
    const addressId = this.roster.recordAddressId(recordId);
    if (addressId >= this.atAddress.length) {
      this.atAddress = grownInt32(this.atAddress, idRoom(addressId, this.roster.addresses.idBound, this.atAddress.length), 0);
    }
    if (addressId >= this.holderAt.length) {
      this.holderAt = grownInt32(this.holderAt, idRoom(addressId, this.roster.addresses.idBound, this.holderAt.length), ABSENT);
    }
    this.atAddress[addressId] = (this.atAddress[addressId] as number) + 1;
    if (nameId !== undefined) this.holderAt[addressId] = nameId;
    return recordId;
  }

  private releaseRecord(recordId: number): void {
    const addressId = this.roster.recordAddressId(recordId);
    this.atAddress[addressId] = (this.atAddress[addressId] as number) - 1;
    this.roster.records.release(recordId);
  }

  private ensureIdRoom(id: number): void {
    if (id < this.slotOfId.length) return;
    this.slotOfId = grownInt32(this.slotOfId, idRoom(id, this.roster.names.idBound, this.slotOfId.length), ABSENT);
  }

  private growRows(capacity: number): void {
    const grow = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const grown = make(capacity);
      grown.set(array.subarray(0, this.length));
      return grown;
    };
    this.nameIds = grow(this.nameIds, (n) => new Int32Array(n));
    this.incarnations = grow(this.incarnations, (n) => new Uint32Array(n));
    this.statuses = grow(this.statuses, (n) => new Uint8Array(n));
    this.sinces = grow(this.sinces, (n) => new Float64Array(n));
    this.froms = grow(this.froms, (n) => new Int32Array(n));
    this.recordIds = grow(this.recordIds, (n) => new Int32Array(n));
  }
}
