/**
 * Injected randomness. The core never uses ambient randomness: the daemon seeds this from
 * node:crypto, the simulator from the run's seed, so every simulated run replays exactly.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

/** sfc32: small, fast, and good enough for choosing gossip targets; seeded from a 32-bit integer. */
export function seededRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: nearby seeds start out correlated.
  for (let i = 0; i < 15; i++) next();
  return { next };
}

/** An integer in [0, bound). */
export function randomInt(random: Random, bound: number): number {
  return Math.floor(random.next() * bound);
}

/** Anything indexable and writable: an array or a typed array. */
export interface MutableList<T> {
  readonly length: number;
  [index: number]: T;
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T, L extends MutableList<T>>(random: Random, items: L): L {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const held = items[i] as T;
    items[i] = items[j] as T;
    items[j] = held;
  }
  return items;
}

/**
 * Up to `count` distinct items chosen uniformly from `items` that pass `accept`, without
 * copying the whole list: random probes first, then a linear sweep from a random offset when
 * most candidates are rejected (the sweep keeps small clusters exact).
 */
export function sample<T>(random: Random, items: readonly T[], count: number, accept: (item: T) => boolean): T[] {
  return sampleIndices(random, items.length, count, (i) => accept(items[i] as T)).map((i) => items[i] as T);
}

/** sample() over the indices 0 … n − 1, for tables kept in columns rather than in an array of rows. */
export function sampleIndices(random: Random, n: number, count: number, accept: (index: number) => boolean): number[] {
  const chosen: number[] = [];
  if (n === 0 || count <= 0) return chosen;
  // At most count × 3 entries: a short array beats a Set here.
  const seen: number[] = [];
  for (let attempt = 0; attempt < count * 3 && chosen.length < count; attempt++) {
    const i = randomInt(random, n);
    if (seen.includes(i)) continue;
    seen.push(i);
    if (accept(i)) chosen.push(i);
  }
  if (chosen.length < count) {
    const start = randomInt(random, n);
    for (let k = 0; k < n && chosen.length < count; k++) {
      const i = (start + k) % n;
      if (seen.includes(i)) continue;
      if (accept(i)) chosen.push(i);
    }
  }
  return chosen;
}
