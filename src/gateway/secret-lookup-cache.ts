// Recent lookups of presented secrets (API keys, admin tokens) by keyed hash, so a request costs
// one HMAC, not a query. Bounded two ways: known secrets in least-recently-used order, and unknown
// ones in a small cache of their own, so a flood of random secrets cannot evict the real ones.

export interface SecretLookupCacheLimits {
  /** Most known secrets kept (least recently used go first). */
  known: number;
  /** Most unknown secrets kept (oldest go first). */
  unknown: number;
  /** How long an entry is trusted, so a change made by another process shows within this. */
  ttlMs: number;
}

type Entry<T> = { value: T; until: number };

export class SecretLookupCache<T> {
  private readonly known = new Map<string, Entry<T>>();
  private readonly unknown = new Map<string, number>();
  private readonly limits: SecretLookupCacheLimits;

  constructor(limits: SecretLookupCacheLimits) {
    this.limits = limits;
  }

  /** The cached value (null: known to be unknown), or undefined when it must be looked up. */
  get(hash: string, nowMs: number): T | null | undefined {
    const entry = this.known.get(hash);
    if (entry !== undefined) {
      if (entry.until < nowMs) {
        this.known.delete(hash);
        return undefined;
      }
      // most recently used last: a Map keeps insertion order
      this.known.delete(hash);
      this.known.set(hash, entry);
      return entry.value;
    }
    const until = this.unknown.get(hash);
    if (until === undefined) return undefined;
    if (until < nowMs) {
      this.unknown.delete(hash);
      return undefined;
    }
    return null;
  }

  set(hash: string, value: T | null, nowMs: number): void {
    const until = nowMs + this.limits.ttlMs;
    if (value === null) {
      this.unknown.delete(hash);
      this.unknown.set(hash, until);
      if (this.unknown.size > this.limits.unknown)
        this.unknown.delete(this.unknown.keys().next().value as string);
      return;
    }
    this.unknown.delete(hash);
    this.known.delete(hash);
    this.known.set(hash, { value, until });
    if (this.known.size > this.limits.known)
      this.known.delete(this.known.keys().next().value as string);
  }

  clear(): void {
    this.known.clear();
    this.unknown.clear();
  }

  get size(): { known: number; unknown: number } {
    return { known: this.known.size, unknown: this.unknown.size };
  }
}
