// The store's small writes (imports begun and finished, API keys added and revoked, retention's
// batches), run on the write thread like the batches: on the caller's thread they would block its
// event loop for as long as another process held the write lock.
import type { ApiKeyRow, ImportKind, ImportTally, SourceInfo } from '../store.js';
import { dropReadIndexes, readIndexes } from './migrations.js';
import type { SqliteDatabase } from './open-database.js';
import { RetentionWriter, type RetentionRequest } from './retention-writer.js';

/** One small write, as posted to the write worker. */
export type BookkeepingRequest =
  | { kind: 'begin-import'; importKind: ImportKind; source: SourceInfo; bulk?: boolean }
  | { kind: 'finish-import'; importId: number; tally: ImportTally }
  | { kind: 'add-key'; key: ApiKeyRow }
  | { kind: 'revoke-key'; keyId: string; at: string }
  | RetentionRequest;

export class BookkeepingWriter {
  private readonly beginImport;
  private readonly finishImport;
  private readonly addKey;
  private readonly revokeKey;
  private readonly retention;
  private readonly database: SqliteDatabase;
  /** The import that dropped the read indexes, to build them again when it finishes. */
  private deferredBy: number | null = null;

  constructor(database: SqliteDatabase) {
    this.database = database;
    const insertSource = database.prepare(
      'INSERT INTO sources (kind, path, size, modified_ms) VALUES (?, ?, ?, ?)',
    );
    const countRows = database.prepare('SELECT count(*) FROM interactions').pluck();
    const insertImport = database.prepare(
      'INSERT INTO imports (kind, source_id, started_at, rows_before) VALUES (?, ?, ?, ?)',
    );
    this.beginImport = database.transaction(
      (kind: ImportKind, source: SourceInfo, bulk: boolean) => {
        const modifiedMs = source.modifiedMs === null ? null : Math.round(source.modifiedMs);
        const sourceId = Number(
          insertSource.run(source.kind, source.path, source.size, modifiedMs).lastInsertRowid,
        );
        const rowsBefore = countRows.get() as number;
        const importId = Number(
          insertImport.run(kind, sourceId, new Date().toISOString(), rowsBefore).lastInsertRowid,
        );
        // a bulk load into an empty store builds the read indexes once, at its end
        if (bulk && kind === 'interactions' && rowsBefore === 0 && this.deferredBy === null) {
          for (const statement of dropReadIndexes) database.exec(statement);
          this.deferredBy = importId;
        }
        return importId;
      },
    );
    this.finishImport = database.prepare(
      'UPDATE imports SET finished_at = ?, status = ?, lines = ?, accepted = ?, rejected = ?, distinct_records = ? WHERE id = ?',
    );
    this.addKey = database.prepare(
      'INSERT INTO api_keys (key_id, account_id, secret_hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.revokeKey = database.prepare(
      'UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?',
    );
    this.retention = new RetentionWriter(database);
  }

  /** Runs `request`; the number is the new import's id, or the rows changed. */
  run(request: BookkeepingRequest): number {
    switch (request.kind) {
      case 'begin-import':
        // IMMEDIATE: the row count and the inserts see one state of the table
        return this.beginImport.immediate(
          request.importKind,
          request.source,
          request.bulk === true,
        );
      case 'finish-import': {
        const { tally } = request;
        if (this.deferredBy === request.importId) {
          this.deferredBy = null;
          for (const statement of readIndexes) this.database.exec(statement);
        }
        return this.finishImport.run(
          new Date().toISOString(),
          tally.status,
          tally.lines,
          tally.accepted,
          tally.rejected,
          tally.distinct,
          request.importId,
        ).changes;
      }
      case 'add-key': {
        const { key } = request;
        return this.addKey.run(
          key.keyId,
          key.accountId,
          key.secretHash,
          key.label,
          key.createdAt,
          key.revokedAt,
        ).changes;
      }
      case 'revoke-key':
        return this.revokeKey.run(request.at, request.keyId).changes;
      default:
        return this.retention.run(request);
    }
  }
}
