// Reads of the embedded store that need no writer: what another process (the live detector)
// opens beside a running gateway, and what SqliteStore itself reads through.
import Database from 'better-sqlite3';
import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DistillGuardError } from '../../core/index.js';
import type { AccountRow, BenchmarkItemRow } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

/** One stored interaction in arrival order: its sequence number and its raw JSON. */
export interface StoredInteraction {
  seq: number;
  raw: string;
}

type PageRow = { seq: number; raw: string | null; offset: number; length: number; kind: string; path: string | null };

export class SqliteStoreReader {
  private readonly database: SqliteDatabase;
  private readonly owned: boolean;
  private readonly page: Database.Statement;
  private readonly lastSeq: Database.Statement;

  /** Reads through `database` (a connection someone else owns and closes). */
  constructor(database: SqliteDatabase, owned = false) {
    this.database = database;
    this.owned = owned;
    this.page = database.prepare(
      `SELECT i.seq, i.raw, i.byte_offset AS offset, i.byte_length AS length, s.kind, s.path
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
      throw new DistillGuardError('store_failed', `cannot open database '${path}' to read: ${(error as Error).message}. Start the gateway (or ingest) with this --db first.`, { cause: error });
    }
    return new SqliteStoreReader(database, true);
  }

  lastInteractionSeq(): number {
    return (this.lastSeq.get() as number | undefined) ?? 0;
  }

  /**
   * The interactions among the next `limit` rows with `after < seq <= upTo`, in order, each read back through its
   * pointer when the store kept only the place in the imported file. A row whose file can no longer
   * be read throws, unless `onUnreadable` is given: it is then told and the row skipped.
   * `through` is the last sequence number looked at: the next page starts after it.
   */
  async interactionsAfter(
    after: number, limit: number, upTo = Number.MAX_SAFE_INTEGER, onUnreadable?: (seq: number, path: string) => void,
  ): Promise<{ interactions: StoredInteraction[]; through: number }> {
    const rows = this.page.all(after, upTo, limit) as PageRow[];
    const out: StoredInteraction[] = [];
    for (const row of rows) {
      if (row.raw !== null) out.push({ seq: row.seq, raw: row.raw });
      else if (row.path) {
        const raw = row.kind === 'file' ? await readRange(row.path, row.offset, row.length) : await readGzipRange(row.path, row.offset, row.length);
        if (raw === null && onUnreadable) onUnreadable(row.seq, row.path);
        else if (raw === null) throw new DistillGuardError('input_unreadable', `interaction ${row.seq} points into '${row.path}', which can no longer be read. Re-import it or restore the file.`);
        else out.push({ seq: row.seq, raw });
      }
    }
    return { interactions: out, through: rows.length > 0 ? rows[rows.length - 1].seq : after };
  }

  readAccounts(): AccountRow[] {
    return this.database
      .prepare(`SELECT account_id AS accountId, created_at_ms AS createdAtMs, verification, org_id AS orgId, email_domain AS emailDomain,
                payment_fingerprint AS paymentFingerprint, country, signup_ip AS signupIp, record FROM accounts`)
      .all() as AccountRow[];
  }

  readBenchmarkItems(): BenchmarkItemRow[] {
    const rows = this.database.prepare('SELECT suite, shingles FROM benchmark_items ORDER BY id').all() as { suite: string; shingles: Buffer }[];
    return rows.map((row) => ({ suite: row.suite, shingles: new Uint32Array(row.shingles.buffer.slice(row.shingles.byteOffset, row.shingles.byteOffset + row.shingles.byteLength)) }));
  }

  async readRawInteraction(id: string): Promise<string | null> {
    const row = this.database
      .prepare(`SELECT i.raw, i.byte_offset AS offset, i.byte_length AS length, s.kind, s.path
                FROM interactions i JOIN sources s ON s.id = i.source_id WHERE i.id = ?`)
      .get(id) as Omit<PageRow, 'seq'> | undefined;
    if (!row) return null;
    if (row.raw !== null) return row.raw;
    if (!row.path) return null;
    if (row.kind === 'file') return readRange(row.path, row.offset, row.length);
    return readGzipRange(row.path, row.offset, row.length);
  }

  close(): void {
    if (this.owned) this.database.close();
  }
}

async function readRange(path: string, offset: number, length: number): Promise<string | null> {
  try {
    const handle = await fs.open(path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.toString('utf8', 0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/** Reads a byte range of a gzip file's decompressed content, decompressing from the start. */
async function readGzipRange(path: string, offset: number, length: number): Promise<string | null> {
  try {
    const parts: Buffer[] = [];
    let position = 0;
    const end = offset + length;
    const stream = createReadStream(path).pipe(createGunzip());
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const chunkEnd = position + chunk.length;
      if (chunkEnd > offset) parts.push(chunk.subarray(Math.max(0, offset - position), Math.min(chunk.length, end - position)));
      position = chunkEnd;
      if (position >= end) {
        stream.destroy();
        break;
      }
    }
    return Buffer.concat(parts).toString('utf8');
  } catch {
    return null;
  }
}
