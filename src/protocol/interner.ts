/**
 * Values held once under a string key, each given a small integer id, with a reference count
 * per id: an id nobody holds any more is forgotten and reused, so a long-lived agent whose
 * members come and go under new names does not grow without bound. The key is worked out
 * from the value (`keyOf`) rather than stored beside it.
 */
export class Interner<V> {
  private readonly idByKey = new Map<string, number>();
  private readonly values: (V | undefined)[] = [];
  private refs: Int32Array = new Int32Array(16);
  private readonly free: number[] = [];

  constructor(
    private readonly keyOf: (value: V) => string,
    /** Called when an id is given to a new value (columns kept per id fill themselves here). */
    private readonly onNew: (id: number, value: V) => void = () => undefined,
    /** Called when an id's last reference goes, before the id is reused. */
    private readonly onForget: (id: number, value: V) => void = () => undefined,
  ) {}

  /** Ids are below this bound: the size per-id arrays must have. */
  get idBound(): number {
    return this.values.length;
  }

  /** How many ids are in use. */
  get size(): number {
    return this.idByKey.size;
  }

  lookup(key: string): number | undefined {
    return this.idByKey.get(key);
  }

  /** The id of `key` (its value made by `make` if new), with one more reference: pair it with release. */
  acquire(key: string, make: () => V): number {
    let id = this.idByKey.get(key);
    if (id === undefined) {
      id = this.free.pop() ?? this.values.length;
      const value = make();
      this.idByKey.set(key, id);
      this.values[id] = value;
      if (id >= this.refs.length) this.refs = grownInt32(this.refs, Math.max(id + 1, Math.ceil(this.refs.length * 1.5)), 0);
      this.onNew(id, value);
    }
    this.retain(id);
    return id;
  }

  retain(id: number): void {
    this.refs[id] = (this.refs[id] as number) + 1;
  }

  release(id: number): void {
    const left = (this.refs[id] as number) - 1;
    this.refs[id] = left;
    if (left > 0) return;
    if (left < 0) throw new Error(`interned id ${id} released more often than acquired`);
    const value = this.values[id] as V;
    this.idByKey.delete(this.keyOf(value));
    this.values[id] = undefined;
    this.free.push(id);
    this.onForget(id, value);
  }

  value(id: number): V {
    return this.values[id] as V;
  }

  /** References held on `id` (0: free). */
  references(id: number): number {
    return id < this.refs.length ? (this.refs[id] as number) : 0;
  }
}

/** A copy of `array` `length` long, new entries set to `fill`. */
export function grownInt32(array: Int32Array, length: number, fill: number): Int32Array {
  const grown = new Int32Array(length);
  grown.set(array);
  if (fill !== 0) grown.fill(fill, array.length);
  return grown;
}
