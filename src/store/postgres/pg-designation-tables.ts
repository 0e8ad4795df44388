// The DesignationStore port on PostgreSQL: rare, small writes shared by every gateway and worker.
// SQLite's immediate transaction makes one writer at a time; here a transaction of this part takes
// the designation advisory lock first, so the next log index and the next case number are read and
// taken by one process at a time, and a case change commits with its log entry.
import type {
  CaseAttachmentRow,
  CaseEventRow,
  CaseRow,
  CheckpointRow,
  DesignationStore,
  LogEntryRow,
  TrafficBucket,
  UserRow,
} from '../designation-store.js';
import type { PgDatabase } from './pg-database.js';

/** The advisory lock every designation write transaction takes first (any constant shared by all processes). */
export const designationLockKey = 0x6467_6473; // 'dgds'

const selectUsers =
  'SELECT name, role, token_hash AS "tokenHash", created_at AS "createdAt", created_by AS "createdBy", disabled_at AS "disabledAt" FROM users';
const selectCases =
  'SELECT case_id AS "caseId", campaign_id AS "campaignId", state, opened_by AS "openedBy", opened_at AS "openedAt", updated_at AS "updatedAt", expires_at AS "expiresAt", snapshot FROM cases';
const selectEvents =
  'SELECT seq, case_id AS "caseId", kind, actor, role, at, from_state AS "fromState", to_state AS "toState", reason, detail, log_index AS "logIndex" FROM case_events';
const selectAttachments =
  'SELECT sha256, case_id AS "caseId", kind, name, content, added_by AS "addedBy", added_at AS "addedAt", log_index AS "logIndex" FROM case_attachments';
const selectCheckpoints =
  'SELECT tree_size AS "treeSize", note, created_at AS "createdAt" FROM log_checkpoints';

/** A log position bound as the integer SQLite compares it with (`idx >= 1.5` is `idx >= 2`). */
function indexBound(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(-Number.MAX_SAFE_INTEGER, Math.ceil(value)));
}

export class PgDesignationTables implements DesignationStore {
  private readonly database: PgDatabase;

  constructor(database: PgDatabase) {
    this.database = database;
  }

  /** One write transaction holding the designation lock from its start (SQLite's BEGIN IMMEDIATE). */
  atomically<T>(work: () => Promise<T>): Promise<T> {
    return this.database.atomically('write', async () => {
      await this.lock();
      return work();
    });
  }

  snapshot<T>(work: () => Promise<T>): Promise<T> {
    return this.database.atomically('snapshot', work);
  }

  /** Takes the designation lock until the end of the current transaction (again is a no-op wait). */
  private async lock(): Promise<void> {
    await this.database.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [
      designationLockKey,
    ]);
  }

  async addUser(row: UserRow): Promise<boolean> {
    const result = await this.database.query(
      `INSERT INTO users (name, role, token_hash, created_at, created_by, disabled_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [row.name, row.role, row.tokenHash, row.createdAt, row.createdBy, row.disabledAt],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async findUser(name: string): Promise<UserRow | null> {
    return this.database.row<UserRow>(`${selectUsers} WHERE name = $1`, [name]);
  }

  async findUserByTokenHash(tokenHash: string): Promise<UserRow | null> {
    return this.database.row<UserRow>(`${selectUsers} WHERE token_hash = $1`, [tokenHash]);
  }

  async listUsers(): Promise<UserRow[]> {
    return this.database.rows<UserRow>(
      `${selectUsers} ORDER BY created_at COLLATE "C", name COLLATE "C"`,
    );
  }

  async disableUser(name: string, at: string): Promise<boolean> {
    const result = await this.database.query(
      'UPDATE users SET disabled_at = $1 WHERE name = $2 AND disabled_at IS NULL',
      [at, name],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async appendLogEntry(entry: Buffer, leafHash: Buffer): Promise<number> {
    return this.atomically(async () => {
      // under the lock (taken again when this joins a caller's transaction) until that commits
      const index = await this.logSize();
      await this.database.query(
        'INSERT INTO log_entries (idx, entry, leaf_hash) VALUES ($1, $2, $3)',
        [index, entry, leafHash],
      );
      return index;
    });
  }

  async logSize(): Promise<number> {
    const row = await this.database.row<{ size: number }>(
      'SELECT coalesce(max(idx) + 1, 0) AS size FROM log_entries',
    );
    return row?.size ?? 0;
  }

  async readLogEntries(from = 0, to = Number.MAX_SAFE_INTEGER): Promise<LogEntryRow[]> {
    return this.database.rows<LogEntryRow>(
      'SELECT idx AS "index", entry, leaf_hash AS "leafHash" FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [indexBound(from), indexBound(to)],
    );
  }

  async readLeafHashes(): Promise<Buffer[]> {
    const rows = await this.database.rows<{ leafHash: Buffer }>(
      'SELECT leaf_hash AS "leafHash" FROM log_entries ORDER BY idx',
    );
    return rows.map((row) => row.leafHash);
  }

  async saveCheckpoint(row: CheckpointRow): Promise<void> {
    await this.database.query(
      `INSERT INTO log_checkpoints (tree_size, note, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (tree_size) DO NOTHING`,
      [row.treeSize, row.note, row.createdAt],
    );
  }

  async latestCheckpoint(): Promise<CheckpointRow | null> {
    return this.database.row<CheckpointRow>(`${selectCheckpoints} ORDER BY tree_size DESC LIMIT 1`);
  }

  async listCheckpoints(): Promise<CheckpointRow[]> {
    return this.database.rows<CheckpointRow>(`${selectCheckpoints} ORDER BY tree_size`);
  }

  async nextCaseNumber(): Promise<number> {
    // the number is only reserved while the caller's transaction (atomically) holds the lock
    return this.atomically(async () => {
      const row = await this.database.row<{ next: number }>(
        'SELECT count(*) + 1 AS next FROM cases',
      );
      return row?.next ?? 1;
    });
  }

  async addCase(row: CaseRow): Promise<void> {
    await this.database.query(
      `INSERT INTO cases (case_id, campaign_id, state, opened_by, opened_at, updated_at, expires_at, snapshot)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        row.caseId,
        row.campaignId,
        row.state,
        row.openedBy,
        row.openedAt,
        row.updatedAt,
        row.expiresAt,
        row.snapshot,
      ],
    );
  }

  async findCase(caseId: string): Promise<CaseRow | null> {
    return this.database.row<CaseRow>(`${selectCases} WHERE case_id = $1`, [caseId]);
  }

  async listCases(): Promise<CaseRow[]> {
    return this.database.rows<CaseRow>(
      `${selectCases} ORDER BY opened_at COLLATE "C", case_id COLLATE "C"`,
    );
  }

  async updateCase(
    caseId: string,
    change: { state: string; updatedAt: string; expiresAt?: string | null },
  ): Promise<void> {
    await this.database.query(
      `UPDATE cases SET state = $2, updated_at = $3,
         expires_at = CASE WHEN $4 THEN $5 ELSE expires_at END WHERE case_id = $1`,
      [
        caseId,
        change.state,
        change.updatedAt,
        change.expiresAt !== undefined,
        change.expiresAt ?? null,
      ],
    );
  }

  async addCaseEvent(row: Omit<CaseEventRow, 'seq'>): Promise<number> {
    const inserted = await this.database.row<{ seq: number }>(
      `INSERT INTO case_events (case_id, kind, actor, role, at, from_state, to_state, reason, detail, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq`,
      [
        row.caseId,
        row.kind,
        row.actor,
        row.role,
        row.at,
        row.fromState,
        row.toState,
        row.reason,
        row.detail,
        row.logIndex,
      ],
    );
    return (inserted as { seq: number }).seq;
  }

  async readCaseEvents(caseId: string): Promise<CaseEventRow[]> {
    return this.database.rows<CaseEventRow>(`${selectEvents} WHERE case_id = $1 ORDER BY seq`, [
      caseId,
    ]);
  }

  async addAttachment(row: CaseAttachmentRow): Promise<boolean> {
    const result = await this.database.query(
      `INSERT INTO case_attachments (case_id, sha256, kind, name, content, added_by, added_at, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [
        row.caseId,
        row.sha256,
        row.kind,
        row.name,
        row.content,
        row.addedBy,
        row.addedAt,
        row.logIndex,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async readAttachments(caseId: string): Promise<CaseAttachmentRow[]> {
    return this.database.rows<CaseAttachmentRow>(
      `${selectAttachments} WHERE case_id = $1 ORDER BY added_at COLLATE "C", sha256 COLLATE "C"`,
      [caseId],
    );
  }

  async trafficOf(accountIds: string[], bucketMs: number): Promise<TrafficBucket[]> {
    if (accountIds.length === 0) return [];
    // integer division truncates as SQLite's does; each day's (account, time) index is read
    return this.database.rows<TrafficBucket>(
      `SELECT (ts_ms / $2::bigint) * $2::bigint AS "bucketMs", count(*) AS requests FROM interactions
       WHERE account_id = ANY($1::text[]) GROUP BY 1 ORDER BY 1`,
      [accountIds, Math.trunc(bucketMs)],
    );
  }

  async modelsFirstSeen(
    accountIds: string[],
  ): Promise<{ model: string; firstMs: number; requests: number }[]> {
    if (accountIds.length === 0) return [];
    // a model was first seen no later than these accounts first used it: each model's first use in
    // all the traffic is looked for in time order up to that bound only (days after it are pruned)
    return this.database.rows<{ model: string; firstMs: number; requests: number }>(
      `SELECT used.model, first_seen.ts_ms AS "firstMs", used.requests
       FROM (SELECT model, count(*) AS requests, min(ts_ms) AS used_from FROM interactions
             WHERE account_id = ANY($1::text[]) GROUP BY model) used
       CROSS JOIN LATERAL (SELECT all_traffic.ts_ms FROM interactions all_traffic
             WHERE all_traffic.model = used.model AND all_traffic.ts_ms <= used.used_from
             ORDER BY all_traffic.ts_ms LIMIT 1) first_seen
       ORDER BY "firstMs", used.model COLLATE "C"`,
      [accountIds],
    );
  }

  async addressesByAccount(
    accountIds: string[],
  ): Promise<{ accountId: string; address: string; requests: number }[]> {
    if (accountIds.length === 0) return [];
    return this.database.rows<{ accountId: string; address: string; requests: number }>(
      `SELECT account_id AS "accountId", client_ip AS address, count(*) AS requests FROM interactions
       WHERE client_ip IS NOT NULL AND account_id = ANY($1::text[])
       GROUP BY account_id, client_ip ORDER BY account_id COLLATE "C", client_ip COLLATE "C"`,
      [accountIds],
    );
  }

  async interactionIdsOf(
    accountIds: string[],
    perAccount: number,
  ): Promise<{ accountId: string; id: string }[]> {
    if (accountIds.length === 0) return [];
    // each account's first rows in time order: its (account, time) index, oldest day first, stopping
    // after `perAccount` rows (SQLite keeps rows numbered up to perAccount: `n <= 2.5` keeps two)
    if (Number.isNaN(perAccount) || perAccount === Number.NEGATIVE_INFINITY) return [];
    const limit =
      perAccount === Number.POSITIVE_INFINITY ? null : Math.max(0, Math.floor(perAccount));
    return this.database.rows<{ accountId: string; id: string }>(
      `SELECT account.id AS "accountId", first_rows.id
       FROM (SELECT DISTINCT unnest($1::text[]) AS id) account
       CROSS JOIN LATERAL (SELECT id, ts_ms, seq FROM interactions WHERE account_id = account.id
             ORDER BY ts_ms, seq LIMIT $2) first_rows
       ORDER BY account.id COLLATE "C", first_rows.ts_ms, first_rows.seq`,
      [accountIds, limit],
    );
  }
}
