// Counts what the replay did: requests sent, records skipped and why, HTTP statuses overall and
// per account, and network errors, which are counted rather than fatal.
import type { AccountsPosted } from './admin-client.js';

export interface ReplaySummary {
  gateway: string;
  speed: number;
  /** Interaction lines read (blank lines excluded). */
  read: number;
  sent: number;
  skipped: { total: number; by_reason: Record<string, number> };
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  network_errors: { total: number; by_code: Record<string, number> };
  keys_created: number;
  /** null when the traffic folder had no accounts file. */
  accounts_posted: AccountsPosted | null;
  /** Per account: responses by HTTP status, plus 'network_error'. */
  per_account: Record<string, Record<string, number>>;
  elapsed_s: number;
  /** The furthest any request went out behind its due time. */
  max_lag_ms: number;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export class ReplayTally {
  read = 0;
  sent = 0;
  private readonly skippedByReason: Record<string, number> = {};
  private readonly statuses: Record<string, number> = {};
  private readonly networkErrors: Record<string, number> = {};
  private readonly perAccount = new Map<string, Record<string, number>>();

  skip(reason: string): void {
    increment(this.skippedByReason, reason);
  }

  response(accountId: string, status: number): void {
    increment(this.statuses, String(status));
    increment(this.account(accountId), String(status));
  }

  networkError(accountId: string, code: string): void {
    increment(this.networkErrors, code);
    increment(this.account(accountId), 'network_error');
  }

  summary(
    fields: Pick<
      ReplaySummary,
      'gateway' | 'speed' | 'keys_created' | 'accounts_posted' | 'elapsed_s' | 'max_lag_ms'
    >,
  ): ReplaySummary {
    const total = (counts: Record<string, number>) =>
      Object.values(counts).reduce((sum, count) => sum + count, 0);
    return {
      gateway: fields.gateway,
      speed: fields.speed,
      read: this.read,
      sent: this.sent,
      skipped: { total: total(this.skippedByReason), by_reason: { ...this.skippedByReason } },
      statuses: { ...this.statuses },
      network_errors: { total: total(this.networkErrors), by_code: { ...this.networkErrors } },
      keys_created: fields.keys_created,
      accounts_posted: fields.accounts_posted,
      per_account: Object.fromEntries(this.perAccount),
      elapsed_s: fields.elapsed_s,
      max_lag_ms: fields.max_lag_ms,
    };
  }

  private account(accountId: string): Record<string, number> {
    let counts = this.perAccount.get(accountId);
    if (!counts) {
      counts = {};
      this.perAccount.set(accountId, counts);
    }
    return counts;
  }
}

/** Accounts that got 429 or 403 responses, most first: what a reader of a replay wants to see. */
export function refusedAccounts(
  summary: ReplaySummary,
): { account_id: string; status_429: number; status_403: number }[] {
  return Object.entries(summary.per_account)
    .map(([account_id, counts]) => ({
      account_id,
      status_429: counts['429'] ?? 0,
      status_403: counts['403'] ?? 0,
    }))
    .filter((row) => row.status_429 + row.status_403 > 0)
    .sort(
      (a, b) =>
        b.status_429 + b.status_403 - (a.status_429 + a.status_403) ||
        a.account_id.localeCompare(b.account_id),
    );
}
