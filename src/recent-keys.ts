// A Map bounded to `maxKeys` keys that drops the least recently used first: per-client limits
// (bounded memory under spoofed keys, security/rate-limit.ts) and SQLite's prepared statements
// (db/orm.ts). A Map iterates in insertion order; re-inserting a key on use keeps it ordered by
// last use, so the first key is always the one to drop.
export function recentKeys<V>(maxKeys: number) {
  const entries = new Map<string, V>();
  return {
    /** The key's value, now the most recently used; undefined when it has none. */
    get(key: string): V | undefined {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    /** The key's value, made by `fresh` (and kept) when it has none; now the most recently used. */
    use(key: string, fresh: () => V): V {
      let value = entries.get(key);
      if (value !== undefined) entries.delete(key);
      else {
        // Made first: a `fresh` that throws keeps nothing and drops nothing.
        value = fresh();
        if (entries.size >= maxKeys) entries.delete(entries.keys().next().value!);
      }
      entries.set(key, value);
      return value;
    },
    delete: (key: string) => entries.delete(key),
    clear: () => entries.clear(),
  };
}
