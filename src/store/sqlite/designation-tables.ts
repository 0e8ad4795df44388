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
import type { TransactionGate } from './transaction-gate.js';

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
  private readonly gate: TransactionGate;

  constructor(database: SqliteDatabase, gate: TransactionGate) {
    this.database = database;
    this.gate = gate;
  }

  atomically<T>(work: () => Promise<T>): Promise<T> {
    return this.gate.run('immediate', work);
  }

  snapshot<T>(work: () => Promise<T>): Promise<T> {
    return this.gate.run('deferred', work);
  }

  async addUser(row: UserRow): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare(
          `INSERT INTO users (name, role, token_hash, created_at, created_by, disabled_at)
           VALUES (@name, @role, @tokenHash, @createdAt, @createdBy, @disabledAt) ON CONFLICT DO NOTHING`,
        )
        .run(row).changes > 0
    );
  }

  async findUser(name: string): Promise<UserRow | null> {
    while (this.gate.held()) await this.gate.released();
    return (this.database.prepare(`${selectUsers} WHERE name = ?`).get(name) as UserRow) ?? null;
  }

  async findUserByTokenHash(tokenHash: string): Promise<UserRow | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database.prepare(`${selectUsers} WHERE token_hash = ?`).get(tokenHash) as UserRow) ??
      null
    );
  }

  async listUsers(): Promise<UserRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database.prepare(`${selectUsers} ORDER BY created_at, name`).all() as UserRow[];
  }

  async disableUser(name: string, at: string): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare('UPDATE users SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL')
        .run(at, name).changes > 0
    );
  }

  async appendLogEntry(entry: Buffer, leafHash: Buffer): Promise<number> {
    while (this.gate.held()) await this.gate.released();
    return this.atomically(async () => {
      const index = await this.logSize();
      this.database
        .prepare('INSERT INTO log_entries (idx, entry, leaf_hash) VALUES (?, ?, ?)')
        .run(index, entry, leafHash);
      return index;
    });
  }

  async logSize(): Promise<number> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare('SELECT coalesce(max(idx) + 1, 0) FROM log_entries')
      .pluck()
      .get() as number;
  }

  async readLogEntries(from = 0, to = Number.MAX_SAFE_INTEGER): Promise<LogEntryRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(
        'SELECT idx AS "index", entry, leaf_hash AS leafHash FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx',
      )
      .all(from, to) as LogEntryRow[];
  }

  async readLeafHashes(): Promise<Buffer[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare('SELECT leaf_hash FROM log_entries ORDER BY idx')
      .pluck()
      .all() as Buffer[];
  }

  async saveCheckpoint(row: CheckpointRow): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    this.database
      .prepare(
        `INSERT INTO log_checkpoints (tree_size, note, created_at) VALUES (@treeSize, @note, @createdAt)
         ON CONFLICT(tree_size) DO NOTHING`,
      )
      .run(row);
  }

  async latestCheckpoint(): Promise<CheckpointRow | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database
        .prepare(
          'SELECT tree_size AS treeSize, note, created_at AS createdAt FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1',
        )
        .get() as CheckpointRow) ?? null
    );
  }

  async listCheckpoints(): Promise<CheckpointRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(
        'SELECT tree_size AS treeSize, note, created_at AS createdAt FROM log_checkpoints ORDER BY tree_size',
      )
      .all() as CheckpointRow[];
  }

  async nextCaseNumber(): Promise<number> {
    while (this.gate.held()) await this.gate.released();
    return (this.database.prepare('SELECT count(*) + 1 FROM cases').pluck().get() as number) ?? 1;
  }

  async addCase(row: CaseRow): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    this.database
      .prepare(
        `INSERT INTO cases (case_id, campaign_id, state, opened_by, opened_at, updated_at, expires_at, snapshot)
         VALUES (@caseId, @campaignId, @state, @openedBy, @openedAt, @updatedAt, @expiresAt, @snapshot)`,
      )
      .run(row);
  }

  async findCase(caseId: string): Promise<CaseRow | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database.prepare(`${selectCases} WHERE case_id = ?`).get(caseId) as CaseRow) ?? null
    );
  }

  async listCases(): Promise<CaseRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database.prepare(`${selectCases} ORDER BY opened_at, case_id`).all() as CaseRow[];
  }

  async updateCase(
    caseId: string,
    change: { state: string; updatedAt: string; expiresAt?: string | null },
  ): Promise<void> {
    while (this.gate.held()) await this.gate.released();
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

  async addCaseEvent(row: Omit<CaseEventRow, 'seq'>): Promise<number> {
    while (this.gate.held()) await this.gate.released();
    return Number(
      this.database
        .prepare(
          `INSERT INTO case_events (case_id, kind, actor, role, at, from_state, to_state, reason, detail, log_index)
           VALUES (@caseId, @kind, @actor, @role, @at, @fromState, @toState, @reason, @detail, @logIndex)`,
        )
        .run(row).lastInsertRowid,
    );
  }

  async readCaseEvents(caseId: string): Promise<CaseEventRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(`${selectEvents} WHERE case_id = ? ORDER BY seq`)
      .all(caseId) as CaseEventRow[];
  }

  async addAttachment(row: CaseAttachmentRow): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare(
          `INSERT INTO case_attachments (case_id, sha256, kind, name, content, added_by, added_at, log_index)
           VALUES (@caseId, @sha256, @kind, @name, @content, @addedBy, @addedAt, @logIndex) ON CONFLICT DO NOTHING`,
        )
        .run(row).changes > 0
    );
  }

  async readAttachments(caseId: string): Promise<CaseAttachmentRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(`${selectAttachments} WHERE case_id = ? ORDER BY added_at, sha256`)
      .all(caseId) as CaseAttachmentRow[];
  }

  async trafficOf(accountIds: string[], bucketMs: number): Promise<TrafficBucket[]> {
    while (this.gate.held()) await this.gate.released();
    if (accountIds.length === 0) return [];
    return this.database
      .prepare(
        `SELECT (ts_ms / CAST(@bucketMs AS INTEGER)) * CAST(@bucketMs AS INTEGER) AS bucketMs, count(*) AS requests FROM interactions
         WHERE account_id IN (SELECT value FROM json_each(@accounts)) GROUP BY 1 ORDER BY 1`,
      )
      .all({ bucketMs, accounts: JSON.stringify(accountIds) }) as TrafficBucket[];
  }

  async modelsFirstSeen(
    accountIds: string[],
  ): Promise<{ model: string; firstMs: number; requests: number }[]> {
    while (this.gate.held()) await this.gate.released();
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

  async addressesByAccount(
    accountIds: string[],
  ): Promise<{ accountId: string; address: string; requests: number }[]> {
    while (this.gate.held()) await this.gate.released();
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

  async interactionIdsOf(
    accountIds: string[],
    perAccount: number,
  ): Promise<{ accountId: string; id: string }[]> {
    while (this.gate.held()) await this.gate.released();
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
