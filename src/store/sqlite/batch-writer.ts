// Batched, transactional writes to the SQLite store. Runs in the write worker (or inline): each
// batch is one transaction, and re-importing a record id never counts it twice. A batch that one
// row makes fail is written again row by row, and only the rows SQLite refuses go to rejected_lines.
import {
  conflictingRecord,
  refusedRecord,
  type AccountRow,
  type DecisionRow,
  type RejectedLineRow,
} from '../store.js';
import { interactionColumns, type FlatValue } from './flat-rows.js';
import type { SqliteDatabase } from './open-database.js';
import { rawHash } from '../raw-hash.js';
import { refusedRow, rowRejection } from './refused-row.js';

export class BatchWriter {
  private readonly insertInteraction;
  private readonly upsertAccount;
  private readonly insertRejection;
  private readonly writeInteractionBatch;
  private readonly writeInteractionRows;
  private readonly writeAccountBatch;
  private readonly writeRejectionBatch;
  private readonly writeDecisionBatch;

  constructor(database: SqliteDatabase) {
    // First sighting of an id in this import counts (changes = 1): a new row, or a row from an
    // earlier import re-tagged to this one. A repeat within the same import changes nothing, nor
    // does a record whose content differs from the stored one (a conflict: told apart below).
    this.insertInteraction = database.prepare(`
      INSERT INTO interactions (id, ts_ms, account_id, key_id, api, model, client_ip, client_asn, client_country,
        user_agent, status, input_tokens, output_tokens, latency_ms, import_id, source_id, line, byte_offset, byte_length, raw, raw_hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET import_id = excluded.import_id
        WHERE interactions.import_id <> excluded.import_id AND (interactions.raw_hash IS NULL OR interactions.raw_hash = excluded.raw_hash)`);
    const storedHash = database.prepare('SELECT raw_hash FROM interactions WHERE id = ?').pluck();
    this.upsertAccount = database.prepare(`
      INSERT INTO accounts (account_id, created_at_ms, verification, org_id, email_domain, payment_fingerprint, country, signup_ip, record, import_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(account_id) DO UPDATE SET created_at_ms = excluded.created_at_ms, verification = excluded.verification,
        org_id = excluded.org_id, email_domain = excluded.email_domain, payment_fingerprint = excluded.payment_fingerprint,
        country = excluded.country, signup_ip = excluded.signup_ip, record = excluded.record, import_id = excluded.import_id`);
    this.insertRejection = database.prepare(
      'INSERT OR REPLACE INTO rejected_lines (import_id, line, field, reason, text) VALUES (?, ?, ?, ?, ?)',
    );
    const sourceOf = database.prepare('SELECT source_id FROM imports WHERE id = ?').pluck();
    const width = interactionColumns;
    /** Binds row `start` of `values` (the last column is the text its hash is taken of, not stored); returns that hash. */
    const bind = (
      parameters: (FlatValue | Buffer)[],
      values: FlatValue[],
      start: number,
      importId: number,
      sourceId: number,
    ): Buffer | null => {
      for (let column = 0; column < 14; column += 1) parameters[column] = values[start + column];
      parameters[14] = importId;
      parameters[15] = sourceId;
      for (let column = 14; column < width - 1; column += 1)
        parameters[column + 2] = values[start + column];
      const text = (values[start + width - 2] ?? values[start + width - 1]) as string | null;
      const hash = text === null ? null : rawHash(text);
      parameters[width + 1] = hash;
      return hash;
    };
    /** 1 counted for this import, 0 a repeat, `conflictingRecord` an id stored with other content. */
    const insert = (
      parameters: (FlatValue | Buffer)[],
      id: FlatValue,
      hash: Buffer | null,
    ): number => {
      const changes = this.insertInteraction.run(parameters).changes;
      if (changes === 0 && hash !== null) {
        const stored = storedHash.get(id) as Buffer | null;
        if (stored !== null && !stored.equals(hash)) return conflictingRecord;
      }
      return changes;
    };
    this.writeInteractionBatch = database.transaction((importId: number, values: FlatValue[]) => {
      const sourceId = sourceOf.get(importId) as number;
      const parameters: (FlatValue | Buffer)[] = new Array(width + 2);
      const counted = new Uint8Array(values.length / width);
      for (let start = 0, row = 0; start < values.length; start += width, row += 1) {
        counted[row] = insert(
          parameters,
          values[start],
          bind(parameters, values, start, importId, sourceId),
        );
      }
      return counted;
    });
    // one savepoint per row inside one transaction: a refused row rolls back alone
    const writeOne = database.transaction(
      (parameters: (FlatValue | Buffer)[], id: FlatValue, hash: Buffer | null) =>
        insert(parameters, id, hash),
    );
    this.writeInteractionRows = database.transaction((importId: number, values: FlatValue[]) => {
      const sourceId = sourceOf.get(importId) as number;
      const parameters: (FlatValue | Buffer)[] = new Array(width + 2);
      const counted = new Uint8Array(values.length / width);
      for (let start = 0, row = 0; start < values.length; start += width, row += 1) {
        try {
          counted[row] = writeOne(
            parameters,
            values[start],
            bind(parameters, values, start, importId, sourceId),
          );
        } catch (error) {
          if (!refusedRow(error)) throw error;
          counted[row] = refusedRecord;
          const rejection = rowRejection(error as Error, values, start);
          this.insertRejection.run(
            importId,
            rejection.line,
            rejection.field,
            rejection.reason,
            rejection.text,
          );
        }
      }
      return counted;
    });
    this.writeAccountBatch = database.transaction((importId: number, rows: AccountRow[]) => {
      for (const row of rows) {
        this.upsertAccount.run(
          row.accountId,
          row.createdAtMs,
          row.verification,
          row.orgId,
          row.emailDomain,
          row.paymentFingerprint,
          row.country,
          row.signupIp,
          row.record,
          importId,
        );
      }
      return rows.length;
    });
    this.writeRejectionBatch = database.transaction((importId: number, rows: RejectedLineRow[]) => {
      for (const row of rows)
        this.insertRejection.run(importId, row.line, row.field, row.reason, row.text);
    });
    const insertDecision = database.prepare(
      'INSERT INTO decisions (ts, account_id, campaign_id, action, verdict, risk, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.writeDecisionBatch = database.transaction((rows: DecisionRow[]) => {
      for (const row of rows)
        insertDecision.run(
          row.ts,
          row.accountId,
          row.campaignId,
          row.action,
          row.verdict,
          row.risk,
          row.reason,
        );
    });
  }

  // Every batch is BEGIN IMMEDIATE: a deferred transaction that reads first (the import's source)
  // and then writes fails at once with SQLITE_BUSY when the other connection (the gateway's main
  // thread creating a key or an import) wrote in between, instead of waiting for its turn.

  /**
   * Writes rows encoded by encodeInteractionRows; returns per row 1 (counted for this import), 0 (a
   * repeat), `conflictingRecord` or `refusedRecord`. Failures of the store itself (disk full, read-only, locked) throw.
   */
  interactions(importId: number, values: FlatValue[]): Uint8Array {
    try {
      return this.writeInteractionBatch.immediate(importId, values);
    } catch (error) {
      if (!refusedRow(error)) throw error;
      return this.writeInteractionRows.immediate(importId, values);
    }
  }

  accounts(importId: number, rows: AccountRow[]): number {
    return this.writeAccountBatch.immediate(importId, rows);
  }

  rejections(importId: number, rows: RejectedLineRow[]): void {
    this.writeRejectionBatch.immediate(importId, rows);
  }

  decisions(rows: DecisionRow[]): void {
    this.writeDecisionBatch.immediate(rows);
  }
}
