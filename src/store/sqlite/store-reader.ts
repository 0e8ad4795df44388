// Reads of the embedded store that need no writer: what another process (the live detector)
// opens beside a running gateway, and what SqliteStore itself reads through.
import Database from 'better-sqlite3';
import { DistillGuardError } from '../../core/index.js';
import type { AccountRow, BenchmarkItemRow } from '../store.js';
import { TransactionGate } from './transaction-gate.js';
import { SqliteIntelTables } from './intel-tables.js';
import type { SqliteDatabase } from './open-database.js';
import { PointedRecords } from './pointed-records.js';

/** One stored interaction in arrival order: its sequence number and its raw JSON. */
export interface StoredInteraction {
  seq: number;
  raw: string;
}

type PageRow = {
  seq: number;
  raw: string | null;
  offset: number;
  length: number;
  kind: string;
  path: string | null;
  hash: Buffer | null;
};

/** Told of a row skipped because its raw record could not be read back: `reason` completes "the file ...". */
export type UnreadableRow = (seq: number, path: string, reason: string) => void;

const pointerColumns =
  'i.raw, i.byte_offset AS offset, i.byte_length AS length, i.raw_hash AS hash, s.kind, s.path';

export class SqliteStoreReader {
  /** The intelligence tables, read here (partners' indicators and community keys for detection). */
  readonly intel: SqliteIntelTables;
  private readonly database: SqliteDatabase;
  private readonly owned: boolean;
  private readonly page: Database.Statement;
  private readonly lastSeq: Database.Statement;
  private readonly pointed = new PointedRecords();

  /** Reads through `database` (a connection someone else owns and closes). */
  constructor(database: SqliteDatabase, owned = false) {
    this.database = database;
    this.intel = new SqliteIntelTables(database, new TransactionGate(database));
    this.owned = owned;
    this.page = database.prepare(
      `SELECT i.seq, ${pointerColumns}
       FROM interactions i JOIN sources s ON s.id = i.source_id WHERE i.seq > ? AND i.seq <= ? ORDER BY i.seq LIMIT ?`,
    );
    this.lastSeq = database.prepare('SELECT coalesce(max(seq), 0) FROM interactions').pluck();
  }

  /**
   * Opens an existing store read-only, beside a writer in another thread or process (WAL mode lets
   * readers and the writer run at once). `cacheMb` is small: a tail reads each page once.
   */
  static open(path: string, options: { cacheMb?: number } = {}): SqliteStoreReader {
    let database: SqliteDatabase;
    try {
      database = new Database(path, { readonly: true, fileMustExist: true });
      database.pragma('busy_timeout = 10000');
      database.pragma(`cache_size = -${Math.round((options.cacheMb ?? 2) * 1024)}`);
    } catch (error) {
      throw new DistillGuardError(
        'store_failed',
        `cannot open database '${path}' to read: ${(error as Error).message}. Start the gateway (or ingest) with this --db first.`,
        { cause: error },
      );
    }
    return new SqliteStoreReader(database, true);
  }

  lastInteractionSeq(): number {
    return (this.lastSeq.get() as number | undefined) ?? 0;
  }

  /** Decompressor passes over gzip sources so far (reads in order make one per file). */
  get gzipPasses(): number {
    return this.pointed.gzipPasses;
  }

  /**
   * The interactions among the next `limit` rows with `after < seq <= upTo`, in order, each read back through its
   * pointer when the store kept only the place in the imported file, and checked against the hash
   * taken at import. A row whose file can no longer be read, or has changed, throws, unless
   * `onUnreadable` is given: it is then told and the row skipped.
   * `through` is the last sequence number looked at: the next page starts after it.
   */
  async interactionsAfter(
    after: number,
    limit: number,
    upTo = Number.MAX_SAFE_INTEGER,
    onUnreadable?: UnreadableRow,
  ): Promise<{ interactions: StoredInteraction[]; through: number }> {
    const rows = this.page.all(after, upTo, limit) as PageRow[];
    const out: StoredInteraction[] = [];
    try {
      for (const row of rows) {
        if (row.raw !== null) out.push({ seq: row.seq, raw: row.raw });
        else if (row.path) {
          const read = await this.pointed.read({
            kind: row.kind,
            path: row.path,
            offset: row.offset,
            length: row.length,
            hash: row.hash,
          });
          if ('raw' in read) out.push({ seq: row.seq, raw: read.raw });
          else if (onUnreadable) onUnreadable(row.seq, row.path, read.problem);
          else
            throw new DistillGuardError(
              'input_unreadable',
              `interaction ${row.seq} points into '${row.path}', which ${read.problem}. Re-import it or restore the file.`,
            );
        }
      }
    } finally {
      this.pointed.endPage();
    }
    return { interactions: out, through: rows.length > 0 ? rows[rows.length - 1].seq : after };
  }

  readAccounts(): AccountRow[] {
    return this.database
      .prepare(
        `SELECT account_id AS accountId, created_at_ms AS createdAtMs, verification, org_id AS orgId, email_domain AS emailDomain,
                payment_fingerprint AS paymentFingerprint, country, signup_ip AS signupIp, record FROM accounts`,
      )
      .all() as AccountRow[];
  }

  readBenchmarkItems(): BenchmarkItemRow[] {
    const rows = this.database
      .prepare('SELECT suite, shingles FROM benchmark_items ORDER BY id')
      .all() as { suite: string; shingles: Buffer }[];
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

  /** The raw record of interaction `id`, read back (and checked) through its pointer when need be; null if unknown or unreadable. */
  async readRawInteraction(id: string): Promise<string | null> {
    const row = this.database
      .prepare(
        `SELECT ${pointerColumns} FROM interactions i JOIN sources s ON s.id = i.source_id WHERE i.id = ?`,
      )
      .get(id) as Omit<PageRow, 'seq'> | undefined;
    if (!row) return null;
    if (row.raw !== null) return row.raw;
    if (!row.path) return null;
    try {
      const read = await this.pointed.read({
        kind: row.kind,
        path: row.path,
        offset: row.offset,
        length: row.length,
        hash: row.hash,
      });
      return 'raw' in read ? read.raw : null;
    } finally {
      this.pointed.endPage();
    }
  }

  close(): void {
    this.pointed.close();
    if (this.owned) this.database.close();
  }
}
