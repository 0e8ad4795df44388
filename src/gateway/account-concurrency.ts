// How many model requests each account has in flight, against `limits.concurrent_per_account`:
// one key holder cannot take every upstream connection. Counts only (no per-request objects): an
// account leaves the map when its last request ends, so the map holds the accounts in flight.

export class AccountConcurrency {
  readonly limit: number;
  private readonly inFlight = new Map<string, number>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Counts a request in; false (nothing counted) when the account is at its limit. */
  enter(accountId: string): boolean {
    const current = this.inFlight.get(accountId) ?? 0;
    if (current >= this.limit) return false;
    this.inFlight.set(accountId, current + 1);
    return true;
  }

  /** Counts a request that `enter` admitted out. */
  leave(accountId: string): void {
    const current = this.inFlight.get(accountId) ?? 0;
    if (current <= 1) this.inFlight.delete(accountId);
    else this.inFlight.set(accountId, current - 1);
  }

  /** Requests in flight for an account. */
  of(accountId: string): number {
    return this.inFlight.get(accountId) ?? 0;
  }
}
