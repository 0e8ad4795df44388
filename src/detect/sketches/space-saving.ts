// Space-Saving heavy hitters (Metwally et al. 2005): the k most frequent keys of a stream with
// bounded memory; counts may overestimate by at most the count of the entry they replaced.

export interface HeavyHitter {
  key: number;
  count: number;
  /** Upper bound of the overestimate. */
  error: number;
  /** Free per-entry tag the caller may use (e.g. whether content varied under this key). */
  tag: number;
}

export class SpaceSaving {
  private readonly capacity: number;
  private readonly entries = new Map<number, HeavyHitter>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: number): HeavyHitter | undefined {
    return this.entries.get(key);
  }

  /** Counts one occurrence of `key` and returns its entry. */
  add(key: number): HeavyHitter {
    const entry = this.entries.get(key);
    if (entry) {
      entry.count += 1;
      return entry;
    }
    if (this.entries.size < this.capacity) {
      const created = { key, count: 1, error: 0, tag: 0 };
      this.entries.set(key, created);
      return created;
    }
    let smallest: HeavyHitter | undefined;
    for (const candidate of this.entries.values())
      if (!smallest || candidate.count < smallest.count) smallest = candidate;
    const evicted = smallest as HeavyHitter;
    this.entries.delete(evicted.key);
    const replaced = { key, count: evicted.count + 1, error: evicted.count, tag: 0 };
    this.entries.set(key, replaced);
    return replaced;
  }

  /** Entries whose guaranteed count (count - error) is at least `minimum`, most frequent first. */
  frequent(minimum: number): HeavyHitter[] {
    return [...this.entries.values()]
      .filter((entry) => entry.count - entry.error >= minimum)
      .sort((a, b) => b.count - a.count);
  }
}
