import { fnv1aStep, fnv1aText, spreadHash } from './hash.js';
import { PROTOCOL_LIMITS } from './limits.js';
import { STATUS_RANK, type Incarnation, type MemberStatus, type NodeName } from './types.js';

/** Fine buckets kept: the most a digest is ever split into; fewer are folded from these. */
const FINE_BUCKETS = PROTOCOL_LIMITS.fineDigestBuckets;
const FINE_BITS = Math.log2(FINE_BUCKETS);
/**
 * Members per bucket aimed at when choosing a bucket count: a differing bucket costs about this
 * many entries each way, a bucket's sum 5 bytes. A round first compares COARSE sums (about 8
 * members a bucket, one packet), which is cheapest when a few entries differ. Tables that
 * differ in many entries spread over the name space (a join storm) differ in nearly every
 * coarse bucket, so then the round asks for FINE sums (about 2 members a bucket, in parts): at
 * 3,000 members joining at once, 8 a bucket exchanged 15.0 million entries, 2 a bucket 7.5
 * million and converged in 14.4 s instead of 18.5 (bench/results/2026-12-02/fine-digest/).
 */
export const MEMBERS_PER_BUCKET = { coarse: 8, fine: 2 } as const;

/**
 * One term of the table digest: FNV-1a over a member's name, incarnation and status, then
 * murmur3's finaliser. The digest is a sum of terms, and FNV-1a alone ends in xor-then-multiply:
 * a status change moved a term by ±2 × the FNV prime whatever the member, so changes to
 * different members cancelled in the sum (seed 41 of the partition property: two sides that
 * disagreed on four members had equal digests and never exchanged a bucket). The finaliser
 * spreads every input bit over the whole term, so a change moves the sum by a different
 * amount for each member.
 */
export function entryHash(name: NodeName, incarnation: Incarnation, status: MemberStatus): number {
  let h = fnv1aText(name);
  h = fnv1aStep(h, incarnation & 0xffff);
  h = fnv1aStep(h, incarnation >>> 16);
  h = fnv1aStep(h, STATUS_RANK[status]);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The bucket of a name when the table is split into `count` buckets (a power of two): the top bits of its spread hash. */
export function bucketOf(name: string, count: number): number {
  return bucketOfHash(spreadHash(name), count);
}

/** bucketOf for a name whose spread hash is known (the roster keeps each name's). */
export function bucketOfHash(nameHash: number, count: number): number {
  return count <= 1 ? 0 : nameHash >>> (32 - Math.log2(count));
}

/**
 * Buckets for a table exchange between tables of `members` entries (the larger side): about
 * `perBucket` members each, a power of two, no more than `maxCount`.
 */
export function bucketCountFor(members: number, maxCount: number, perBucket: number): number {
  let count = 1;
  while (count * 2 <= maxCount && count * perBucket < members) count *= 2;
  return count;
}

/**
 * The table's digest, whole and split by name hash into buckets: each is the sum (mod 2^32)
 * of its entries' hashes, so it is independent of order and kept up to date in O(1) per
 * change. Two tables that differ in a few entries differ in a few buckets, and only those
 * buckets' entries need to travel (anti-entropy by difference).
 */
export class TableDigest {
  private readonly fine = new Uint32Array(FINE_BUCKETS);
  private sum = 0;

  /** The most buckets the digest can be split into. */
  readonly maxCount = FINE_BUCKETS;

  /** The whole table's digest. */
  get value(): number {
    return this.sum >>> 0;
  }

  add(name: NodeName, incarnation: Incarnation, status: MemberStatus): void {
    this.shift(name, entryHash(name, incarnation, status));
  }

  remove(name: NodeName, incarnation: Incarnation, status: MemberStatus): void {
    this.shift(name, -entryHash(name, incarnation, status));
  }

  /**
   * The digest split into `count` buckets (a power of two ≤ fineDigestBuckets), folded from the
   * fine ones: buckets `offset` … `offset + length − 1` of them (all by default). A round at
   * 10,000 members reads its 4,096 sums 256 at a time, on both sides.
   */
  buckets(count: number, offset = 0, length = count): number[] {
    const width = FINE_BUCKETS / count;
    const end = Math.min(count, offset + length);
    const sums: number[] = [];
    for (let bucket = offset; bucket < end; bucket++) {
      let sum = 0;
      for (let i = bucket * width; i < (bucket + 1) * width; i++) sum = (sum + (this.fine[i] ?? 0)) >>> 0;
      sums.push(sum);
    }
    return sums;
  }

  private shift(name: NodeName, delta: number): void {
    const index = spreadHash(name) >>> (32 - FINE_BITS);
    this.fine[index] = ((this.fine[index] ?? 0) + delta) >>> 0;
    this.sum = (this.sum + delta) >>> 0;
  }
}
