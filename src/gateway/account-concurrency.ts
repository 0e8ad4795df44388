// How many model requests each account has in flight, against `limits.concurrent_per_account`:
// one key holder cannot take every upstream connection. Counts only, no per-request objects. An
// account's entry stays at 0 when its requests end (re-entering it rewrites a count, never the
// map's table; deleting and re-adding keys per request would rebuild the table and promote each
// request's account string, as the Set described in upstream-call.ts did); idle entries are
// dropped in one pass when the map reaches `idleEntriesKept`.

export class AccountConcurrency {
  readonly limit: number;
  private readonly inFlight = new Map<string, number>();
  private readonly idleEntriesKept: number;

  constructor(limit: number, idleEntriesKept = 50_000) {
    this.limit = limit;
    this.idleEntriesKept = idleEntriesKept;
  }

  /** Counts a request in; false (nothing counted) when the account is at its limit. */
  enter(accountId: string): boolean {
    const current = this.inFlight.get(accountId);
    if (current === undefined) {
      if (this.inFlight.size >= this.idleEntriesKept) this.dropIdle();
      this.inFlight.set(accountId, 1);
      return true;
    }
    if (current >= this.limit) return false;
    this.inFlight.set(accountId, current + 1);
    return true;
  }

  /** Counts a request that `enter` admitted out. */
  leave(accountId: string): void {
    const current = this.inFlight.get(accountId);
    if (current !== undefined && current > 0) this.inFlight.set(accountId, current - 1);
  }

  /** Requests in flight for an account. */
  of(accountId: string): number {
    return this.inFlight.get(accountId) ?? 0;
  }

  /** Accounts with an entry (in flight or idle), for tests. */
  get entries(): number {
    return this.inFlight.size;
  }

  private dropIdle(): void {
    for (const [accountId, count] of this.inFlight)
      if (count === 0) this.inFlight.delete(accountId);
  }
}
