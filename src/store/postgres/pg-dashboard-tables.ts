// The DashboardStore port on PostgreSQL: the dashboard's paged reads over the day partitions of
// interactions (a time bound is compared with ts_ms itself, so that only the days it covers are
// read; each day's (account, time) index serves an account's reads), and the rare writes of account
// findings, campaign views and audit runs. Text sorts with COLLATE "C", SQLite's byte order.
import type {
  AccountFindingRow,
  AccountModelUse,
  AccountTraffic,
  AuditRunRow,
  DashboardStore,
  ExchangeRow,
  TrafficCount,
} from '../dashboard-store.js';
import type { AccountRow, DecisionRow } from '../store.js';
import type { PgDatabase, QueryValue } from './pg-database.js';

const selectFindings =
  'SELECT account_id AS "accountId", analysed_at AS "analysedAt", verdict, risk, campaign_id AS "campaignId", reasons FROM account_findings';
const selectAudits =
  'SELECT audit_id AS "auditId", started_by AS "startedBy", started_at AS "startedAt", finished_at AS "finishedAt", status, request, evidence, error FROM audit_runs';
const findingsOrder = 'ORDER BY risk DESC, account_id COLLATE "C"';

/**
 * The SQLite adapter counts up to this many buckets one index range at a time (buckets floored, as
 * JavaScript does) and groups longer spans in one pass (integer division, truncated toward zero):
 * the two differ only before 1970, and this adapter draws the same boundaries.
 */
const maxRangeCounts = 5_000;

/** A time bound as the integer ts_ms compares with (`ts_ms >= 1.5` is `ts_ms >= 2`). */
function timeFrom(value: number): number {
  if (Number.isNaN(value)) return Number.MAX_SAFE_INTEGER;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(-Number.MAX_SAFE_INTEGER, Math.ceil(value)));
}

/** SQLite's LIMIT: a negative one is no limit. */
function limitOf(limit: number): number | null {
  return limit < 0 || !Number.isFinite(limit) ? null : Math.floor(limit);
}

/** The WHERE clause and values of a findings filter, its parameters numbered from 1. */
function findingsFilter(filter: { verdict?: string; campaignId?: string }): {
  clause: string;
  values: QueryValue[];
} {
  const where: string[] = [];
  const values: QueryValue[] = [];
  if (filter.verdict !== undefined) {
    values.push(filter.verdict);
    where.push(`verdict = $${values.length}`);
  }
  if (filter.campaignId !== undefined) {
    values.push(filter.campaignId);
    where.push(`campaign_id = $${values.length}`);
  }
  return { clause: where.length ? ` WHERE ${where.join(' AND ')}` : '', values };
}

export class PgDashboardTables implements DashboardStore {
  private readonly database: PgDatabase;

  constructor(database: PgDatabase) {
    this.database = database;
  }

  async replaceAccountFindings(rows: AccountFindingRow[]): Promise<void> {
    await this.database.atomically('write', async () => {
      await this.database.query('DELETE FROM account_findings');
      if (rows.length === 0) return;
      const column = <T>(pick: (row: AccountFindingRow) => T): T[] => rows.map(pick);
      await this.database.query(
        `INSERT INTO account_findings (account_id, analysed_at, verdict, risk, campaign_id, reasons)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::double precision[], $5::text[], $6::text[])`,
        [
          column((row) => row.accountId),
          column((row) => row.analysedAt),
          column((row) => row.verdict),
          column((row) => row.risk),
          column((row) => row.campaignId),
          column((row) => row.reasons),
        ],
      );
    });
  }

  async readAccountFinding(accountId: string): Promise<AccountFindingRow | null> {
    return this.database.row<AccountFindingRow>(`${selectFindings} WHERE account_id = $1`, [
      accountId,
    ]);
  }

  async readAccountFindings(
    filter: { verdict?: string; campaignId?: string } = {},
  ): Promise<AccountFindingRow[]> {
    const { clause, values } = findingsFilter(filter);
    return this.database.rows<AccountFindingRow>(
      `${selectFindings}${clause} ${findingsOrder}`,
      values,
    );
  }

  async accountFindingsPage(
    filter: { verdict?: string; campaignId?: string },
    page: { offset: number; limit: number },
  ): Promise<{ total: number; rows: AccountFindingRow[] }> {
    const { clause, values } = findingsFilter(filter);
    const counted = await this.database.row<{ total: number }>(
      `SELECT count(*) AS total FROM account_findings${clause}`,
      values,
    );
    const rows = await this.database.rows<AccountFindingRow>(
      `${selectFindings}${clause} ${findingsOrder} LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      [...values, limitOf(page.limit), Math.max(0, Math.floor(page.offset) || 0)],
    );
    return { total: counted?.total ?? 0, rows };
  }

  async verdictCounts(): Promise<Record<string, number>> {
    const rows = await this.database.rows<{ verdict: string; accounts: number }>(
      'SELECT verdict, count(*) AS accounts FROM account_findings GROUP BY verdict ORDER BY verdict COLLATE "C"',
    );
    return Object.fromEntries(rows.map((row) => [row.verdict, row.accounts]));
  }

  async accountsOf(accountIds: string[]): Promise<AccountRow[]> {
    if (accountIds.length === 0) return [];
    return this.database.rows<AccountRow>(
      `SELECT account_id AS "accountId", created_at_ms AS "createdAtMs", verification, org_id AS "orgId",
         email_domain AS "emailDomain", payment_fingerprint AS "paymentFingerprint", country, signup_ip AS "signupIp", record
       FROM accounts WHERE account_id = ANY($1::text[]) ORDER BY account_id COLLATE "C"`,
      [accountIds],
    );
  }

  async latestDecisionsOf(accountIds: string[]): Promise<DecisionRow[]> {
    if (accountIds.length === 0) return [];
    return this.database.rows<DecisionRow>(
      `SELECT ts, account_id AS "accountId", campaign_id AS "campaignId", action, verdict, risk, reason FROM decisions
       WHERE id IN (SELECT max(id) FROM decisions WHERE account_id = ANY($1::text[]) GROUP BY account_id)
       ORDER BY id`,
      [accountIds],
    );
  }

  async trafficSince(fromMs: number, bucketMs: number): Promise<TrafficCount[]> {
    const from = timeFrom(fromMs);
    const bucket = Math.trunc(bucketMs);
    // the days from `from` on only (the bound is on the partition key, so earlier days are pruned)
    const span = await this.database.row<{ first: number | null; last: number | null }>(
      'SELECT min(ts_ms) AS first, max(ts_ms) AS last FROM interactions WHERE ts_ms >= $1',
      [from],
    );
    if (!span || span.first === null || span.last === null) return [];
    const start = Math.floor(span.first / bucketMs) * bucketMs;
    const bucketOf =
      (span.last - start) / bucketMs > maxRangeCounts
        ? '(ts_ms / $2::bigint) * $2::bigint'
        : '(ts_ms - ((ts_ms % $2::bigint) + $2::bigint) % $2::bigint)';
    return this.database.rows<TrafficCount>(
      `SELECT ${bucketOf} AS "bucketMs", count(*) AS requests
       FROM interactions WHERE ts_ms >= $1 GROUP BY 1 ORDER BY 1`,
      [from, bucket],
    );
  }

  async trafficOfAccount(accountId: string, bucketMs: number): Promise<TrafficCount[]> {
    return this.database.rows<TrafficCount>(
      `SELECT (ts_ms / $2::bigint) * $2::bigint AS "bucketMs", count(*) AS requests
       FROM interactions WHERE account_id = $1 GROUP BY 1 ORDER BY 1`,
      [accountId, Math.trunc(bucketMs)],
    );
  }

  async newestInteractionMs(): Promise<number> {
    // the newest day's partition first, through the (ts_ms, seq) key of each day
    const row = await this.database.row<{ newest: number | null }>(
      'SELECT max(ts_ms) AS newest FROM interactions',
    );
    return row?.newest ?? 0;
  }

  async accountTraffic(accountIds: string[]): Promise<AccountTraffic[]> {
    if (accountIds.length === 0) return [];
    return this.database.rows<AccountTraffic>(
      `SELECT account_id AS "accountId", count(*) AS requests, min(ts_ms) AS "firstMs", max(ts_ms) AS "lastMs"
       FROM interactions WHERE account_id = ANY($1::text[]) GROUP BY account_id ORDER BY account_id COLLATE "C"`,
      [accountIds],
    );
  }

  async modelsOfAccount(accountId: string): Promise<AccountModelUse[]> {
    // models used as often come in SQLite's order: its sorter gives ties of a descending key last
    // group first, and it groups by model
    return this.database.rows<AccountModelUse>(
      `SELECT model, count(*) AS requests, coalesce(sum(input_tokens), 0) AS "inputTokens",
         coalesce(sum(output_tokens), 0) AS "outputTokens"
       FROM interactions WHERE account_id = $1 GROUP BY model ORDER BY requests DESC, model COLLATE "C" DESC`,
      [accountId],
    );
  }

  async exchangesOf(
    accountId: string,
    options: { before?: { tsMs: number; seq: number }; limit: number },
  ): Promise<ExchangeRow[]> {
    const before = options.before ?? { tsMs: Number.MAX_SAFE_INTEGER, seq: 0 };
    // `ts_ms <= $2` bounds the days read (the row comparison alone would not prune them)
    return this.database.rows<ExchangeRow>(
      `SELECT seq, id, ts_ms AS "tsMs", api, model, client_ip AS "clientIp", status, input_tokens AS "inputTokens",
         output_tokens AS "outputTokens", latency_ms AS "latencyMs"
       FROM interactions
       WHERE account_id = $1 AND ts_ms <= $2 AND (ts_ms < $2 OR (ts_ms = $2 AND seq < $3))
       ORDER BY ts_ms DESC, seq DESC LIMIT $4`,
      [accountId, before.tsMs, before.seq, limitOf(options.limit)],
    );
  }

  async accountOfInteraction(id: string): Promise<string | null> {
    // the id's time first (interaction_ids): a value known when the scan starts, so that every
    // other day's partition is pruned (a join on d.ts_ms would search each day's id index)
    const row = await this.database.row<{ accountId: string }>(
      `SELECT account_id AS "accountId" FROM interactions
       WHERE ts_ms = (SELECT ts_ms FROM interaction_ids WHERE id = $1) AND id = $1 LIMIT 1`,
      [id],
    );
    return row?.accountId ?? null;
  }

  async decisionsMark(): Promise<{ count: number; newest: string }> {
    const row = await this.database.row<{ count: number; newest: string | null }>(
      'SELECT count(*) AS count, (SELECT ts FROM decisions ORDER BY id DESC LIMIT 1) AS newest FROM decisions',
    );
    return { count: row?.count ?? 0, newest: row?.newest ?? '' };
  }

  async accountsByAction(): Promise<Record<string, number>> {
    const rows = await this.database.rows<{ action: string; accounts: number }>(
      `SELECT action, count(*) AS accounts FROM decisions
       WHERE id IN (SELECT max(id) FROM decisions GROUP BY account_id) GROUP BY action ORDER BY action COLLATE "C"`,
    );
    return Object.fromEntries(rows.map((row) => [row.action, row.accounts]));
  }

  async casesMark(): Promise<string> {
    const row = await this.database.row<{ newest: string | null }>(
      'SELECT max(updated_at COLLATE "C") AS newest FROM cases',
    );
    return row?.newest ?? '';
  }

  async saveCampaignView(campaignId: string, analysedAt: string, view: string): Promise<void> {
    await this.database.query(
      `INSERT INTO campaign_views (campaign_id, analysed_at, view) VALUES ($1, $2, $3)
       ON CONFLICT (campaign_id) DO UPDATE SET analysed_at = excluded.analysed_at, view = excluded.view`,
      [campaignId, analysedAt, view],
    );
  }

  async readCampaignView(campaignId: string): Promise<{ analysedAt: string; view: string } | null> {
    return this.database.row<{ analysedAt: string; view: string }>(
      'SELECT analysed_at AS "analysedAt", view FROM campaign_views WHERE campaign_id = $1',
      [campaignId],
    );
  }

  async addAuditRun(row: AuditRunRow): Promise<void> {
    await this.database.query(
      `INSERT INTO audit_runs (audit_id, started_by, started_at, finished_at, status, request, evidence, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        row.auditId,
        row.startedBy,
        row.startedAt,
        row.finishedAt,
        row.status,
        row.request,
        row.evidence,
        row.error,
      ],
    );
  }

  async finishAuditRun(
    auditId: string,
    outcome: { finishedAt: string; status: string; evidence: string | null; error: string | null },
  ): Promise<void> {
    await this.database.query(
      `UPDATE audit_runs SET finished_at = $2, status = $3, evidence = $4, error = $5
       WHERE audit_id = $1`,
      [auditId, outcome.finishedAt, outcome.status, outcome.evidence, outcome.error],
    );
  }

  async readAuditRun(auditId: string): Promise<AuditRunRow | null> {
    return this.database.row<AuditRunRow>(`${selectAudits} WHERE audit_id = $1`, [auditId]);
  }

  async listAuditRuns(): Promise<AuditRunRow[]> {
    return this.database.rows<AuditRunRow>(
      `${selectAudits} ORDER BY started_at COLLATE "C" DESC, audit_id COLLATE "C" DESC`,
    );
  }

  async abandonAuditRuns(finishedAt: string, error: string): Promise<number> {
    const result = await this.database.query(
      `UPDATE audit_runs SET finished_at = $1, status = 'failed', error = $2 WHERE status = 'running'`,
      [finishedAt, error],
    );
    return result.rowCount ?? 0;
  }
}
