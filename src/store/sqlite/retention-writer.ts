// Retention on the write thread, one bounded batch per request: each call looks at one range of
// sequence numbers only, so the gateway's own writes wait at most one batch behind it.
import type { SqliteDatabase } from './open-database.js';
import { metadataRecord, type InteractionColumns } from '../metadata-record.js';

/** One batch of retention work, as posted to the write worker. */
export type RetentionRequest =
  /** Deletes the interactions with `fromSeq <= seq < toSeq` whose time is before `beforeMs`. */
  | { kind: 'prune-rows'; fromSeq: number; toSeq: number; beforeMs: number }
  /** Reduces the raw records of those interactions to their metadata (metadata-record.ts). */
  | { kind: 'prune-text'; fromSeq: number; toSeq: number; beforeMs: number }
  /** Empties the kept text of up to `limit` rejected lines of imports finished before `beforeMs` (a running one waits). */
  | { kind: 'prune-rejected-text'; beforeMs: number; limit: number };

type TextRow = InteractionColumns & { seq: number; raw: string | null };

export class RetentionWriter {
  private readonly database: SqliteDatabase;
  private readonly deleteRows;
  private readonly reduceText;
  private readonly emptyRejectedText;

  constructor(database: SqliteDatabase) {
    this.database = database;
    const deleteRange = database.prepare(
      'DELETE FROM interactions WHERE seq >= ? AND seq < ? AND ts_ms < ?',
    );
    this.deleteRows = database.transaction(
      (fromSeq: number, toSeq: number, beforeMs: number) =>
        deleteRange.run(fromSeq, toSeq, beforeMs).changes,
    );
    const dueText = database.prepare(`
      SELECT seq, raw, id, ts_ms AS tsMs, account_id AS accountId, key_id AS keyId, api, model, client_ip AS clientIp, client_asn AS clientAsn,
        client_country AS clientCountry, user_agent AS userAgent, status, input_tokens AS inputTokens, output_tokens AS outputTokens, latency_ms AS latencyMs
      FROM interactions WHERE seq >= ? AND seq < ? AND ts_ms < ? AND text_pruned_ms IS NULL`);
    // raw_hash stays the hash of the record as it arrived: re-importing the original file is still a repeat, not a conflict
    const reduce = database.prepare(
      'UPDATE interactions SET raw = ?, byte_offset = 0, byte_length = 0, text_pruned_ms = ? WHERE seq = ?',
    );
    this.reduceText = database.transaction((fromSeq: number, toSeq: number, beforeMs: number) => {
      const now = Date.now();
      const rows = dueText.all(fromSeq, toSeq, beforeMs) as TextRow[];
      for (const row of rows) reduce.run(metadataRecord(row.raw, row, now), now, row.seq);
      return rows.length;
    });
    const emptyText = database.prepare(`
      UPDATE rejected_lines SET text = '' WHERE rowid IN (
        SELECT r.rowid FROM rejected_lines r JOIN imports i ON i.id = r.import_id WHERE r.text <> '' AND i.finished_at < ? LIMIT ?)`);
    this.emptyRejectedText = database.transaction(
      (beforeMs: number, limit: number) =>
        emptyText.run(new Date(beforeMs).toISOString(), limit).changes,
    );
  }

  /** Runs one batch; the number is the rows deleted or reduced. */
  run(request: RetentionRequest): number {
    // the old text must not stay readable in freed pages of the file
    this.database.pragma('secure_delete = ON');
    try {
      switch (request.kind) {
        case 'prune-rows':
          return this.deleteRows.immediate(request.fromSeq, request.toSeq, request.beforeMs);
        case 'prune-text':
          return this.reduceText.immediate(request.fromSeq, request.toSeq, request.beforeMs);
        case 'prune-rejected-text':
          return this.emptyRejectedText.immediate(request.beforeMs, request.limit);
      }
    } finally {
      this.database.pragma('secure_delete = OFF');
    }
  }
}
