/**
 * A `Map` that holds at most `limit` entries: a `set` that goes past it forgets the oldest
 * key (insertion order; to mark a key as recently used, delete it before setting it again).
 * For this process's memos on the message path (resolved paths, transcript tails, routes...).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }
}
