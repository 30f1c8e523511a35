import { isActive, type Member } from './member.js';
import { fnv1aStep, fnv1aText } from './hash.js';
import { HashRing } from './ring.js';
import { addressKey, STATUS_RANK, type Address, type Incarnation, type MemberStatus, type NodeName } from './types.js';

/** FNV-1a over a member's name, incarnation and status: one term of the table digest. */
function entryHash(name: NodeName, incarnation: Incarnation, status: MemberStatus): number {
  let h = fnv1aText(name);
  h = fnv1aStep(h, incarnation & 0xffff);
  h = fnv1aStep(h, incarnation >>> 16);
  h = fnv1aStep(h, STATUS_RANK[status]);
  return h >>> 0;
}

/**
 * The member table. Keeps an array beside the map so random choices are O(1), counts per
 * status so n is O(1), and an order-independent digest (sum of entry hashes) updated on every
 * change, so anti-entropy can compare tables without walking them.
 */
export class Membership {
  private readonly byName = new Map<NodeName, Member>();
  private readonly list: Member[] = [];
  private readonly position = new Map<NodeName, number>();
  private readonly counts: Record<MemberStatus, number> = { alive: 0, suspect: 0, failed: 0, left: 0 };
  private digestSum = 0;
  private changes = 0;
  /** Active members (alive and suspect) on the hash ring, for the ring probe schedule. */
  readonly ring = new HashRing();
  /** Members per address (two names can share one: a restart under a new name, a conflict). */
  private readonly atAddress = new Map<string, number>();
  /** The member that last took each address: who sent a datagram, when only one member is there. */
  private readonly holderAt = new Map<string, NodeName>();

  get(name: NodeName): Member | undefined {
    return this.byName.get(name);
  }

  /** All members, self included, in no particular order. Do not mutate. */
  all(): readonly Member[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  /** Members that take part: alive and suspect, self included (the n of the formulas). */
  get activeCount(): number {
    return this.counts.alive + this.counts.suspect;
  }

  count(status: MemberStatus): number {
    return this.counts[status];
  }

  /**
   * Counts changes to the table. Tags and `since` only change together with a status or
   * incarnation (an address through setAddress), so a view cached under this number stays right.
   */
  get version(): number {
    return this.changes;
  }

  get digest(): number {
    return this.digestSum >>> 0;
  }

  add(member: Member): void {
    if (this.byName.has(member.name)) throw new Error(`member ${member.name} already present`);
    this.byName.set(member.name, member);
    this.position.set(member.name, this.list.length);
    this.list.push(member);
    this.holdAddress(member.addr, member.name);
    this.counts[member.status]++;
    this.digestSum = (this.digestSum + entryHash(member.name, member.incarnation, member.status)) >>> 0;
    if (isActive(member.status)) this.ring.insert(member.name);
    this.changes++;
  }

  /** Changes status and incarnation through here so counts and digest stay right. */
  setState(member: Member, status: MemberStatus, incarnation: Incarnation): void {
    this.digestSum = (this.digestSum - entryHash(member.name, member.incarnation, member.status)) >>> 0;
    this.counts[member.status]--;
    if (isActive(member.status) !== isActive(status)) {
      if (isActive(status)) this.ring.insert(member.name);
      else this.ring.remove(member.name);
    }
    member.status = status;
    member.incarnation = incarnation;
    this.counts[status]++;
    this.digestSum = (this.digestSum + entryHash(member.name, incarnation, status)) >>> 0;
    this.changes++;
  }

  remove(name: NodeName): void {
    const member = this.byName.get(name);
    const index = this.position.get(name);
    if (member === undefined || index === undefined) return;
    const last = this.list.pop() as Member;
    if (last !== member) {
      this.list[index] = last;
      this.position.set(last.name, index);
    }
    this.byName.delete(name);
    this.position.delete(name);
    this.releaseAddress(member.addr);
    this.counts[member.status]--;
    this.digestSum = (this.digestSum - entryHash(member.name, member.incarnation, member.status)) >>> 0;
    this.ring.remove(name);
    this.changes++;
  }

  /** Moves a member to a new address; change addresses only through here, so hasAddress stays right. */
  setAddress(member: Member, addr: Address): void {
    this.releaseAddress(member.addr);
    member.addr = addr;
    this.holdAddress(addr, member.name);
    this.changes++;
  }

  /** Whether some member in the table (any status) is at this address (its addressKey): O(1) per datagram. */
  hasAddress(key: string): boolean {
    return this.atAddress.has(key);
  }

  /** The one member at this address (its addressKey), or undefined when none or several share it: O(1). */
  soleMemberAt(key: string): NodeName | undefined {
    return this.atAddress.get(key) === 1 ? this.holderAt.get(key) : undefined;
  }

  private holdAddress(addr: Address, name: NodeName): void {
    const key = addressKey(addr);
    this.atAddress.set(key, (this.atAddress.get(key) ?? 0) + 1);
    this.holderAt.set(key, name);
  }

  private releaseAddress(addr: Address): void {
    const key = addressKey(addr);
    const count = (this.atAddress.get(key) ?? 1) - 1;
    if (count <= 0) {
      this.atAddress.delete(key);
      this.holderAt.delete(key);
    } else {
      this.atAddress.set(key, count);
    }
  }

  isActive(name: NodeName): boolean {
    const member = this.byName.get(name);
    return member !== undefined && isActive(member.status);
  }
}
