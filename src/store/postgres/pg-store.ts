// The Store port on PostgreSQL (`storage.kind: "postgres"`): several gateways and detector workers
// share one database. Interactions are partitioned by day (pg-partitions.ts) and kept whole (a
// server cannot point into a file on the machine that imported it); an id is stored once, across
// every process that writes, through interaction_ids (pg-migrations.ts). Writes of one batch are
// one transaction. Intelligence, TAXII, designation and dashboard tables are the parts (pg-*-tables.ts).
import { DistillGuardError } from '../../core/index.js';
import type { DashboardStore } from '../dashboard-store.js';
import type { DesignationStore } from '../designation-store.js';
import type { IntelStore } from '../intel-store.js';
import { metadataRecord, type InteractionColumns } from '../metadata-record.js';
import { rawHash } from '../raw-hash.js';
import {
  conflictingRecord,
  type AccountRow,
  type AdminTokenRow,
  type ApiKeyRow,
  type BenchmarkItemRow,
  type DecisionRow,
  type ImportKind,
  type ImportTally,
  type InteractionImportSummary,
  type InteractionRow,
  type PruneOptions,
  type PruneTally,
  type RejectedLineRow,
  type SourceInfo,
  type Store,
} from '../store.js';
import type { TaxiiStore } from '../taxii-store.js';
import { PgDatabase, type PgOptions } from './pg-database.js';
import { migrate } from './pg-migrations.js';
import { dayMs, DayPartitions } from './pg-partitions.js';

const selectKeys =
  'SELECT key_id AS "keyId", account_id AS "accountId", secret_hash AS "secretHash", label, created_at AS "createdAt", revoked_at AS "revokedAt" FROM api_keys';
const selectAdminTokens =
  'SELECT token_id AS "tokenId", scopes, secret_hash AS "secretHash", label, created_at AS "createdAt", revoked_at AS "revokedAt" FROM admin_tokens';
const selectAccounts = `SELECT account_id AS "accountId", created_at_ms AS "createdAtMs", verification, org_id AS "orgId",
  email_domain AS "emailDomain", payment_fingerprint AS "paymentFingerprint", country, signup_ip AS "signupIp", record FROM accounts`;

/** "no partition of relation found for row": a day dropped by another process since we looked. */
const noPartition = '23514';

export interface PgStoreParts {
  intel: IntelStore;
  taxii: TaxiiStore;
  designation: DesignationStore;
  dashboard: DashboardStore;
}

export class PgStore implements Store {
  readonly database: PgDatabase;
  readonly intel: IntelStore;
  readonly taxii: TaxiiStore;
  readonly designation: DesignationStore;
  readonly dashboard: DashboardStore;
  private readonly partitions: DayPartitions;

  private constructor(database: PgDatabase, parts: (database: PgDatabase) => PgStoreParts) {
    this.database = database;
    this.partitions = new DayPartitions(database);
    const made = parts(database);
    this.intel = made.intel;
    this.taxii = made.taxii;
    this.designation = made.designation;
    this.dashboard = made.dashboard;
  }

  /**
   * Connects, applies the migrations the schema lacks and reads which days have partitions.
   * `parts` makes the store's other parts on the same database.
   * @throws DistillGuardError('engine_unavailable') when PostgreSQL does not answer
   */
  static async open(
    options: PgOptions,
    parts: (database: PgDatabase) => PgStoreParts,
  ): Promise<PgStore> {
    const database = await PgDatabase.connect(options);
    try {
      await migrate(database);
      const store = new PgStore(database, parts);
      await store.partitions.load();
      return store;
    } catch (error) {
      await database.close().catch(() => undefined);
      throw error;
    }
  }

  async beginImport(kind: ImportKind, source: SourceInfo): Promise<number> {
    return this.database.atomically('write', async () => {
      const sourceRow = await this.database.row<{ id: number }>(
        'INSERT INTO sources (kind, path, size, modified_ms) VALUES ($1, $2, $3, $4) RETURNING id',
        [
          source.kind,
          source.path,
          source.size,
          source.modifiedMs === null ? null : Math.round(source.modifiedMs),
        ],
      );
      const row = await this.database.row<{ id: number }>(
        `INSERT INTO imports (kind, source_id, started_at, rows_before) VALUES ($1, $2, $3, 0) RETURNING id`,
        [kind, (sourceRow as { id: number }).id, new Date().toISOString()],
      );
      return (row as { id: number }).id;
    });
  }

  async writeInteractions(importId: number, rows: InteractionRow[]): Promise<Uint8Array> {
    const flags = new Uint8Array(rows.length);
    if (rows.length === 0) return flags;
    const texts = rows.map((row) => {
      const text = row.raw ?? row.pointedRaw;
      if (text === undefined || text === null)
        throw new DistillGuardError(
          'store_failed',
          `interaction '${row.id}' came without its record: PostgreSQL keeps every record whole.`,
        );
      return text;
    });
    const hashes = texts.map((text) => rawHash(text));
    await this.partitions.ensure(rows.map((row) => row.tsMs));
    try {
      await this.insertInteractions(importId, rows, texts, hashes, flags);
    } catch (error) {
      if ((error as { code?: string }).code !== noPartition) throw error;
      await this.partitions.load();
      await this.partitions.ensure(rows.map((row) => row.tsMs));
      await this.insertInteractions(importId, rows, texts, hashes, flags);
    }
    return flags;
  }

  /**
   * One transaction: claim each id in interaction_ids (new, or an earlier import's row re-tagged to
   * this one when the content is the same), write the rows whose id is new, and flag each input
   * row: 1 counted for this import, 0 a repeat, `conflictingRecord` an id stored with other content.
   */
  private async insertInteractions(
    importId: number,
    rows: InteractionRow[],
    texts: string[],
    hashes: Buffer[],
    flags: Uint8Array,
  ): Promise<void> {
    const first = new Map<string, number>();
    rows.forEach((row, index) => {
      if (!first.has(row.id)) first.set(row.id, index);
    });
    const unique = [...first.values()];
    await this.database.atomically('write', async () => {
      const claimed = await this.database.rows<{ id: string; inserted: boolean }>(
        `INSERT INTO interaction_ids (id, ts_ms, account_id, import_id, first_import_id, raw_hash)
         SELECT id, ts_ms, account_id, $5, $5, raw_hash
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bytea[]) AS t(id, ts_ms, account_id, raw_hash)
         ON CONFLICT (id) DO UPDATE SET import_id = excluded.import_id
           WHERE interaction_ids.import_id <> excluded.import_id
             AND (interaction_ids.raw_hash IS NULL OR interaction_ids.raw_hash = excluded.raw_hash)
         RETURNING id, (xmax = 0) AS inserted`,
        [
          unique.map((index) => rows[index].id),
          unique.map((index) => rows[index].tsMs),
          unique.map((index) => rows[index].accountId),
          unique.map((index) => hashes[index]),
          importId,
        ],
      );
      const counted = new Set<string>();
      const inserted: number[] = [];
      for (const row of claimed) {
        counted.add(row.id);
        if (row.inserted) inserted.push(first.get(row.id) as number);
      }
      // ids not claimed are repeats, or conflicts when the stored content differs
      const others = [...first.keys()].filter((id) => !counted.has(id));
      const stored = new Map<string, Buffer | null>();
      if (others.length > 0)
        for (const row of await this.database.rows<{ id: string; raw_hash: Buffer | null }>(
          'SELECT id, raw_hash FROM interaction_ids WHERE id = ANY($1::text[])',
          [others],
        ))
          stored.set(row.id, row.raw_hash);
      rows.forEach((row, index) => {
        const hash = stored.get(row.id);
        if (first.get(row.id) === index && counted.has(row.id)) flags[index] = 1;
        else if (first.get(row.id) !== index) {
          // a repeat within this batch: a conflict when it differs from the first sighting
          const firstIndex = first.get(row.id) as number;
          flags[index] = hashes[firstIndex].equals(hashes[index]) ? 0 : conflictingRecord;
        } else if (hash && !hash.equals(hashes[index])) flags[index] = conflictingRecord;
        else flags[index] = 0;
      });
      if (inserted.length === 0) return;
      const column = <T>(pick: (row: InteractionRow, index: number) => T): T[] =>
        inserted.map((index) => pick(rows[index], index));
      await this.database.query(
        `INSERT INTO interactions (id, ts_ms, account_id, key_id, api, model, client_ip, client_asn, client_country,
           user_agent, status, input_tokens, output_tokens, latency_ms, line, raw, import_id, source_id)
         SELECT t.*, $17, i.source_id
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::bigint[], $9::text[], $10::text[], $11::integer[], $12::bigint[], $13::bigint[],
             $14::double precision[], $15::bigint[], $16::text[])
             AS t(id, ts_ms, account_id, key_id, api, model, client_ip, client_asn, client_country,
               user_agent, status, input_tokens, output_tokens, latency_ms, line, raw)
           CROSS JOIN (SELECT source_id FROM imports WHERE id = $17) AS i`,
        [
          column((row) => row.id),
          column((row) => row.tsMs),
          column((row) => row.accountId),
          column((row) => row.keyId),
          column((row) => row.api),
          column((row) => row.model),
          column((row) => row.clientIp),
          column((row) => row.clientAsn),
          column((row) => row.clientCountry),
          column((row) => row.userAgent),
          column((row) => row.status),
          column((row) => row.inputTokens),
          column((row) => row.outputTokens),
          column((row) => row.latencyMs),
          column((row) => row.line),
          column((_row, index) => texts[index]),
          importId,
        ],
      );
    });
  }

  async writeAccounts(importId: number, rows: AccountRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    // the latest record for an id wins, also within one batch
    const latest = new Map(rows.map((row) => [row.accountId, row]));
    const unique = [...latest.values()];
    const column = <T>(pick: (row: AccountRow) => T): T[] => unique.map(pick);
    await this.database.query(
      `INSERT INTO accounts (account_id, created_at_ms, verification, org_id, email_domain, payment_fingerprint,
         country, signup_ip, record, import_id)
       SELECT t.*, $10 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::text[], $8::text[], $9::text[])
         AS t(account_id, created_at_ms, verification, org_id, email_domain, payment_fingerprint, country, signup_ip, record)
       ON CONFLICT (account_id) DO UPDATE SET created_at_ms = excluded.created_at_ms, verification = excluded.verification,
         org_id = excluded.org_id, email_domain = excluded.email_domain, payment_fingerprint = excluded.payment_fingerprint,
         country = excluded.country, signup_ip = excluded.signup_ip, record = excluded.record, import_id = excluded.import_id`,
      [
        column((row) => row.accountId),
        column((row) => row.createdAtMs),
        column((row) => row.verification),
        column((row) => row.orgId),
        column((row) => row.emailDomain),
        column((row) => row.paymentFingerprint),
        column((row) => row.country),
        column((row) => row.signupIp),
        column((row) => row.record),
        importId,
      ],
    );
    return rows.length;
  }

  async writeRejections(importId: number, rows: RejectedLineRow[]): Promise<void> {
    if (rows.length === 0) return;
    const latest = [...new Map(rows.map((row) => [row.line, row])).values()];
    await this.database.query(
      `INSERT INTO rejected_lines (import_id, line, field, reason, text)
       SELECT $1, t.* FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS t(line, field, reason, text)
       ON CONFLICT (import_id, line) DO UPDATE SET field = excluded.field, reason = excluded.reason, text = excluded.text`,
      [
        importId,
        latest.map((row) => row.line),
        latest.map((row) => row.field),
        latest.map((row) => row.reason),
        latest.map((row) => row.text),
      ],
    );
  }

  async finishImport(importId: number, tally: ImportTally): Promise<void> {
    await this.database.query(
      'UPDATE imports SET finished_at = $1, status = $2, lines = $3, accepted = $4, rejected = $5, distinct_records = $6 WHERE id = $7',
      [
        new Date().toISOString(),
        tally.status,
        tally.lines,
        tally.accepted,
        tally.rejected,
        tally.distinct,
        importId,
      ],
    );
  }

  async summarizeInteractionImport(importId: number): Promise<InteractionImportSummary> {
    const row = (await this.database.row<InteractionImportSummary>(
      `SELECT count(*) AS interactions, count(DISTINCT account_id) AS accounts, min(ts_ms) AS "fromMs",
              max(ts_ms) AS "toMs", count(*) FILTER (WHERE first_import_id = $1) AS "newRecords"
       FROM interaction_ids WHERE import_id = $1`,
      [importId],
    )) as InteractionImportSummary;
    return row;
  }

  async readAccounts(): Promise<AccountRow[]> {
    return this.database.rows<AccountRow>(selectAccounts);
  }

  async addBenchmarkItems(items: BenchmarkItemRow[]): Promise<void> {
    if (items.length === 0) return;
    await this.database.query(
      'INSERT INTO benchmark_items (suite, shingles, added_at) SELECT t.*, $3 FROM unnest($1::text[], $2::bytea[]) AS t(suite, shingles)',
      [
        items.map((item) => item.suite),
        items.map((item) =>
          Buffer.from(item.shingles.buffer, item.shingles.byteOffset, item.shingles.byteLength),
        ),
        new Date().toISOString(),
      ],
    );
  }

  async readBenchmarkItems(): Promise<BenchmarkItemRow[]> {
    const rows = await this.database.rows<{ suite: string; shingles: Buffer }>(
      'SELECT suite, shingles FROM benchmark_items ORDER BY id',
    );
    return rows.map((row) => ({
      suite: row.suite,
      shingles: new Uint32Array(
        row.shingles.buffer.slice(
          row.shingles.byteOffset,
          row.shingles.byteOffset + row.shingles.byteLength,
        ),
      ),
    }));
  }

  async readRawInteraction(id: string): Promise<string | null> {
    // the id's time first (a scalar), so that only that day's partition is searched
    const row = await this.database.row<{ raw: string }>(
      `SELECT raw FROM interactions
       WHERE ts_ms = (SELECT ts_ms FROM interaction_ids WHERE id = $1) AND id = $1`,
      [id],
    );
    return row?.raw ?? null;
  }

  /** Whether an interaction with this id is stored (the gateway's spool replay skips those). */
  async hasInteraction(id: string): Promise<boolean> {
    return (await this.database.row('SELECT 1 FROM interaction_ids WHERE id = $1', [id])) !== null;
  }

  async addApiKey(key: ApiKeyRow): Promise<void> {
    await this.database.query(
      'INSERT INTO api_keys (key_id, account_id, secret_hash, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [key.keyId, key.accountId, key.secretHash, key.label, key.createdAt, key.revokedAt],
    );
  }

  async findApiKey(secretHash: string): Promise<ApiKeyRow | null> {
    return this.database.row<ApiKeyRow>(`${selectKeys} WHERE secret_hash = $1`, [secretHash]);
  }

  async listApiKeys(accountId?: string): Promise<ApiKeyRow[]> {
    if (accountId === undefined)
      return this.database.rows<ApiKeyRow>(`${selectKeys} ORDER BY created_at, key_id`);
    return this.database.rows<ApiKeyRow>(
      `${selectKeys} WHERE account_id = $1 ORDER BY created_at, key_id`,
      [accountId],
    );
  }

  async revokeApiKey(keyId: string, at: string): Promise<boolean> {
    const result = await this.database.query(
      'UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE key_id = $2',
      [at, keyId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async addAdminToken(token: AdminTokenRow): Promise<void> {
    await this.database.query(
      'INSERT INTO admin_tokens (token_id, scopes, secret_hash, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        token.tokenId,
        token.scopes,
        token.secretHash,
        token.label,
        token.createdAt,
        token.revokedAt,
      ],
    );
  }

  async findAdminToken(secretHash: string): Promise<AdminTokenRow | null> {
    return this.database.row<AdminTokenRow>(`${selectAdminTokens} WHERE secret_hash = $1`, [
      secretHash,
    ]);
  }

  async listAdminTokens(): Promise<AdminTokenRow[]> {
    return this.database.rows<AdminTokenRow>(`${selectAdminTokens} ORDER BY created_at, token_id`);
  }

  async revokeAdminToken(tokenId: string, at: string): Promise<boolean> {
    const result = await this.database.query(
      'UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE token_id = $2',
      [at, tokenId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async readSetting(name: string): Promise<string | null> {
    return (
      (
        await this.database.row<{ value: string }>('SELECT value FROM settings WHERE name = $1', [
          name,
        ])
      )?.value ?? null
    );
  }

  async writeSettingOnce(name: string, value: string): Promise<string> {
    const stored = await this.readSetting(name);
    if (stored !== null) return stored;
    await this.database.query(
      'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, value],
    );
    return (await this.readSetting(name)) ?? value;
  }

  async writeDecisions(rows: DecisionRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (row: DecisionRow) => T): T[] => rows.map(pick);
    await this.database.query(
      `INSERT INTO decisions (ts, account_id, campaign_id, action, verdict, risk, reason)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::double precision[], $7::text[])`,
      [
        column((row) => row.ts),
        column((row) => row.accountId),
        column((row) => row.campaignId),
        column((row) => row.action),
        column((row) => row.verdict),
        column((row) => row.risk),
        column((row) => row.reason),
      ],
    );
  }

  async readDecisions(
    options: { accountId?: string; limit?: number } = {},
  ): Promise<DecisionRow[]> {
    const columns =
      'SELECT ts, account_id AS "accountId", campaign_id AS "campaignId", action, verdict, risk, reason FROM decisions';
    const limit = options.limit ?? null;
    if (options.accountId !== undefined)
      return this.database.rows<DecisionRow>(
        `${columns} WHERE account_id = $1 ORDER BY id LIMIT $2`,
        [options.accountId, limit],
      );
    return this.database.rows<DecisionRow>(`${columns} ORDER BY id LIMIT $1`, [limit]);
  }

  async *exportInteractions(options: { upTo?: number } = {}): AsyncIterable<string> {
    const upTo = options.upTo ?? Number.MAX_SAFE_INTEGER;
    // paged by seq, so that no transaction stays open while the caller works
    let after = 0;
    for (;;) {
      const rows = await this.database.rows<{ seq: number; raw: string }>(
        'SELECT seq, raw FROM interactions WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 1000',
        [after, upTo],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1].seq;
      for (const { raw } of rows) yield raw;
    }
  }

  async lastInteractionSeq(): Promise<number> {
    return (
      (
        await this.database.row<{ last: number | null }>(
          'SELECT max(seq) AS last FROM interactions',
        )
      )?.last ?? 0
    );
  }

  /**
   * Days wholly before `rowsBeforeMs` go with their partition; the rest of the rows due, and the
   * text of rows before `textBeforeMs`, go in batches of `batchRows` (one transaction each).
   */
  async prune(options: PruneOptions): Promise<PruneTally> {
    const tally: PruneTally = { rowsDeleted: 0, textPruned: 0, rejectedTextPruned: 0, batches: 0 };
    const step = options.batchRows ?? 1000;
    const checkStop = () => {
      if (options.signal?.aborted)
        throw new DistillGuardError('store_failed', 'pruning stopped: the store is closing.');
    };
    if (options.rowsBeforeMs !== undefined) {
      const beforeMs = options.rowsBeforeMs;
      checkStop();
      tally.rowsDeleted += await this.partitions.dropBefore(beforeMs);
      tally.batches += 1;
      for (;;) {
        checkStop();
        const deleted = await this.database.atomically('write', async () => {
          const due = await this.database.rows<{ id: string; ts_ms: number }>(
            'SELECT id, ts_ms FROM interaction_ids WHERE ts_ms < $1 LIMIT $2',
            [beforeMs, step],
          );
          if (due.length === 0) return -1;
          const ids = due.map((row) => row.id);
          const rows = await this.database.query(
            'DELETE FROM interactions WHERE ts_ms < $1 AND id = ANY($2::text[])',
            [beforeMs, ids],
          );
          await this.database.query('DELETE FROM interaction_ids WHERE id = ANY($1::text[])', [
            ids,
          ]);
          return rows.rowCount ?? 0;
        });
        tally.batches += 1;
        if (deleted < 0) break;
        tally.rowsDeleted += deleted;
      }
    }
    if (options.textBeforeMs !== undefined) {
      const beforeMs = options.textBeforeMs;
      for (;;) {
        checkStop();
        const reduced = await this.database.atomically('write', async () => {
          const due = await this.database.rows<InteractionColumns & { seq: number; raw: string }>(
            `SELECT seq, raw, id, ts_ms AS "tsMs", account_id AS "accountId", key_id AS "keyId", api, model,
               client_ip AS "clientIp", client_asn AS "clientAsn", client_country AS "clientCountry",
               user_agent AS "userAgent", status, input_tokens AS "inputTokens", output_tokens AS "outputTokens",
               latency_ms AS "latencyMs"
             FROM interactions WHERE ts_ms < $1 AND text_pruned_ms IS NULL LIMIT $2 FOR UPDATE`,
            [beforeMs, step],
          );
          const now = Date.now();
          if (due.length > 0)
            await this.database.query(
              `UPDATE interactions AS i SET raw = t.raw, text_pruned_ms = $1
               FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS t(seq, ts_ms, raw)
               WHERE i.ts_ms = t.ts_ms AND i.seq = t.seq`,
              [
                now,
                due.map((row) => row.seq),
                due.map((row) => row.tsMs),
                due.map((row) => metadataRecord(row.raw, row, now)),
              ],
            );
          return due.length;
        });
        tally.batches += 1;
        tally.textPruned += reduced;
        if (reduced < step) break;
      }
    }
    const textBeforeMs = Math.max(
      options.textBeforeMs ?? Number.NEGATIVE_INFINITY,
      options.rowsBeforeMs ?? Number.NEGATIVE_INFINITY,
    );
    if (Number.isFinite(textBeforeMs)) {
      for (;;) {
        checkStop();
        const result = await this.database.query(
          `UPDATE rejected_lines SET text = '' WHERE (import_id, line) IN (
             SELECT r.import_id, r.line FROM rejected_lines r JOIN imports i ON i.id = r.import_id
             WHERE r.text <> '' AND i.finished_at < $1 LIMIT $2)`,
          [new Date(textBeforeMs).toISOString(), step],
        );
        tally.batches += 1;
        tally.rejectedTextPruned += result.rowCount ?? 0;
        if ((result.rowCount ?? 0) < step) break;
      }
    }
    return tally;
  }

  /** The days that have a partition (first ms of each, oldest first). */
  partitionDays(): Promise<number[]> {
    return this.partitions.list();
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}

export { dayMs };
