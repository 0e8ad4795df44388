// The overview's two live series as the overview route and the event stream both send them: stored
// requests per hour, and enforcement decisions as points in time.
import type { DecisionRow, SqliteStore } from '../store/index.js';

export const hourMs = 3_600_000;

/** Stored requests per hour from `fromMs` on. */
export async function trafficPoints(
  store: SqliteStore,
  fromMs: number,
): Promise<{ t: number; requests: number }[]> {
  return (await store.dashboard.trafficSince(fromMs, hourMs)).map((bucket) => ({
    t: bucket.bucketMs,
    requests: bucket.requests,
  }));
}

/** Decisions as the overview's chart plots them. */
export function decisionPoints(
  rows: readonly DecisionRow[],
): { ts: string; account_id: string; action: string; verdict: string | null }[] {
  return rows.map((row) => ({
    ts: row.ts,
    account_id: row.accountId,
    action: row.action,
    verdict: row.verdict,
  }));
}
