// The DesignationStore port on SQLite: rare, small writes on the caller's connection. A case change
// and its log entry commit in one immediate transaction, so two processes never take one index.
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
import type { SqliteDatabase } from './open-database.js';

const selectUsers =
  'SELECT name, role, token_hash AS tokenHash, created_at AS createdAt, created_by AS createdBy, disabled_at AS disabledAt FROM users';
const selectCases =
  'SELECT case_id AS caseId, campaign_id AS campaignId, state, opened_by AS openedBy, opened_at AS openedAt, updated_at AS updatedAt, expires_at AS expiresAt, snapshot FROM cases';
const selectEvents =
  'SELECT seq, case_id AS caseId, kind, actor, role, at, from_state AS fromState, to_state AS toState, reason, detail, log_index AS logIndex FROM case_events';
const selectAttachments =
  'SELECT sha256, case_id AS caseId, kind, name, content, added_by AS addedBy, added_at AS addedAt, log_index AS logIndex FROM case_attachments';

export class SqliteDesignationTables implements DesignationStore {
  private readonly database: SqliteDatabase;

  constructor(database: SqliteDatabase) {
    this.database = database;
  }

  atomically<T>(work: () => T): T {
    if (this.database.inTransaction) return work();
    return this.database.transaction(work).immediate();
  }

  snapshot<T>(work: () => T): T {
    if (this.database.inTransaction) return work();
    return this.database.transaction(work).deferred();
  }

  addUser(row: UserRow): boolean {
    return (
      this.database
        .prepare(
          `INSERT INTO users (name, role, token_hash, created_at, created_by, disabled_at)
           VALUES (@name, @role, @tokenHash, @createdAt, @createdBy, @disabledAt) ON CONFLICT DO NOTHING`,
        )
        .run(row).changes > 0
    );
  }

  findUser(name: string): UserRow | null {
    return (this.database.prepare(`${selectUsers} WHERE name = ?`).get(name) as UserRow) ?? null;
  }

  findUserByTokenHash(tokenHash: string): UserRow | null {
    return (
      (this.database.prepare(`${selectUsers} WHERE token_hash = ?`).get(tokenHash) as UserRow) ??
      null
    );
  }

  listUsers(): UserRow[] {
    return this.database.prepare(`${selectUsers} ORDER BY created_at, name`).all() as UserRow[];
  }

  disableUser(name: string, at: string): boolean {
    return (
      this.database
        .prepare('UPDATE users SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL')
        .run(at, name).changes > 0
    );
  }

  appendLogEntry(entry: Buffer, leafHash: Buffer): number {
    return this.atomically(() => {
      const index = this.logSize();
      this.database
        .prepare('INSERT INTO log_entries (idx, entry, leaf_hash) VALUES (?, ?, ?)')
        .run(index, entry, leafHash);
      return index;
    });
  }

  logSize(): number {
    return this.database
      .prepare('SELECT coalesce(max(idx) + 1, 0) FROM log_entries')
      .pluck()
      .get() as number;
  }

  readLogEntries(from = 0, to = Number.MAX_SAFE_INTEGER): LogEntryRow[] {
    return this.database
      .prepare(
        'SELECT idx AS "index", entry, leaf_hash AS leafHash FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx',
      )
      .all(from, to) as LogEntryRow[];
  }

  readLeafHashes(): Buffer[] {
    return this.database
      .prepare('SELECT leaf_hash FROM log_entries ORDER BY idx')
      .pluck()
      .all() as Buffer[];
  }

  saveCheckpoint(row: CheckpointRow): void {
    this.database
      .prepare(
        `INSERT INTO log_checkpoints (tree_size, note, created_at) VALUES (@treeSize, @note, @createdAt)
         ON CONFLICT(tree_size) DO NOTHING`,
      )
      .run(row);
  }

  latestCheckpoint(): CheckpointRow | null {
    return (
      (this.database
        .prepare(
          'SELECT tree_size AS treeSize, note, created_at AS createdAt FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1',
        )
        .get() as CheckpointRow) ?? null
    );
  }

  listCheckpoints(): CheckpointRow[] {
    return this.database
      .prepare(
        'SELECT tree_size AS treeSize, note, created_at AS createdAt FROM log_checkpoints ORDER BY tree_size',
      )
      .all() as CheckpointRow[];
  }

  nextCaseNumber(): number {
    return (this.database.prepare('SELECT count(*) + 1 FROM cases').pluck().get() as number) ?? 1;
  }

  addCase(row: CaseRow): void {
    this.database
      .prepare(
        `INSERT INTO cases (case_id, campaign_id, state, opened_by, opened_at, updated_at, expires_at, snapshot)
         VALUES (@caseId, @campaignId, @state, @openedBy, @openedAt, @updatedAt, @expiresAt, @snapshot)`,
      )
      .run(row);
  }

  findCase(caseId: string): CaseRow | null {
    return (
      (this.database.prepare(`${selectCases} WHERE case_id = ?`).get(caseId) as CaseRow) ?? null
    );
  }

  listCases(): CaseRow[] {
    return this.database.prepare(`${selectCases} ORDER BY opened_at, case_id`).all() as CaseRow[];
  }

  updateCase(
    caseId: string,
    change: { state: string; updatedAt: string; expiresAt?: string | null },
  ): void {
    this.database
      .prepare(
        `UPDATE cases SET state = @state, updated_at = @updatedAt,
           expires_at = CASE WHEN @setExpiry THEN @expiresAt ELSE expires_at END WHERE case_id = @caseId`,
      )
      .run({
        caseId,
        state: change.state,
        updatedAt: change.updatedAt,
        setExpiry: change.expiresAt === undefined ? 0 : 1,
        expiresAt: change.expiresAt ?? null,
      });
  }

  addCaseEvent(row: Omit<CaseEventRow, 'seq'>): number {
    return Number(
      this.database
        .prepare(
          `INSERT INTO case_events (case_id, kind, actor, role, at, from_state, to_state, reason, detail, log_index)
           VALUES (@caseId, @kind, @actor, @role, @at, @fromState, @toState, @reason, @detail, @logIndex)`,
        )
        .run(row).lastInsertRowid,
    );
  }

  readCaseEvents(caseId: string): CaseEventRow[] {
    return this.database
      .prepare(`${selectEvents} WHERE case_id = ? ORDER BY seq`)
      .all(caseId) as CaseEventRow[];
  }

  addAttachment(row: CaseAttachmentRow): boolean {
    return (
      this.database
        .prepare(
          `INSERT INTO case_attachments (case_id, sha256, kind, name, content, added_by, added_at, log_index)
           VALUES (@caseId, @sha256, @kind, @name, @content, @addedBy, @addedAt, @logIndex) ON CONFLICT DO NOTHING`,
        )
        .run(row).changes > 0
    );
  }

  readAttachments(caseId: string): CaseAttachmentRow[] {
    return this.database
      .prepare(`${selectAttachments} WHERE case_id = ? ORDER BY added_at, sha256`)
      .all(caseId) as CaseAttachmentRow[];
  }

  trafficOf(accountIds: string[], bucketMs: number): TrafficBucket[] {
    if (accountIds.length === 0) return [];
    return this.database
      .prepare(
        `SELECT (ts_ms / CAST(@bucketMs AS INTEGER)) * CAST(@bucketMs AS INTEGER) AS bucketMs, count(*) AS requests FROM interactions
         WHERE account_id IN (SELECT value FROM json_each(@accounts)) GROUP BY 1 ORDER BY 1`,
      )
      .all({ bucketMs, accounts: JSON.stringify(accountIds) }) as TrafficBucket[];
  }

  modelsFirstSeen(accountIds: string[]): { model: string; firstMs: number; requests: number }[] {
    if (accountIds.length === 0) return [];
    return this.database
      .prepare(
        `SELECT used.model AS model, (SELECT min(ts_ms) FROM interactions all_traffic WHERE all_traffic.model = used.model) AS firstMs,
           used.requests AS requests
         FROM (SELECT model, count(*) AS requests FROM interactions
               WHERE account_id IN (SELECT value FROM json_each(?)) GROUP BY model) used ORDER BY firstMs`,
      )
      .all(JSON.stringify(accountIds)) as { model: string; firstMs: number; requests: number }[];
  }

  addressesByAccount(
    accountIds: string[],
  ): { accountId: string; address: string; requests: number }[] {
    if (accountIds.length === 0) return [];
    return this.database
      .prepare(
        `SELECT account_id AS accountId, client_ip AS address, count(*) AS requests FROM interactions
         WHERE client_ip IS NOT NULL AND account_id IN (SELECT value FROM json_each(?))
         GROUP BY account_id, client_ip ORDER BY account_id, client_ip`,
      )
      .all(JSON.stringify(accountIds)) as {
      accountId: string;
      address: string;
      requests: number;
    }[];
  }

  interactionIdsOf(accountIds: string[], perAccount: number): { accountId: string; id: string }[] {
    if (accountIds.length === 0) return [];
    return this.database
      .prepare(
        `SELECT accountId, id FROM (
           SELECT account_id AS accountId, id, row_number() OVER (PARTITION BY account_id ORDER BY ts_ms, seq) AS n
           FROM interactions WHERE account_id IN (SELECT value FROM json_each(?)))
         WHERE n <= ? ORDER BY accountId, n`,
      )
      .all(JSON.stringify(accountIds), perAccount) as { accountId: string; id: string }[];
  }
}
