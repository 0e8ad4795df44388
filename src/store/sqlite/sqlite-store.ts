// The embedded store: one SQLite file on disk. Reads and import bookkeeping run on the caller's
// thread; batched writes run on a worker thread that owns the write connection.
import { Worker } from 'node:worker_threads';
import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DistillGuardError } from '../../core/index.js';
import type {
  AccountRow, ApiKeyRow, BenchmarkItemRow, DecisionRow, ImportKind, ImportTally, InteractionImportSummary, InteractionRow, RejectedLineRow, SourceInfo, Store,
} from '../store.js';
import { encodeInteractionRows } from './flat-rows.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import type { WriteReply, WriteRequest } from './write-protocol.js';

type Pending = { resolve: (reply: { result: number; flags?: Uint8Array }) => void; reject: (error: Error) => void };
type WriteRequestBody = WriteRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

const selectKeys = 'SELECT key_id AS keyId, account_id AS accountId, secret_hash AS secretHash, label, created_at AS createdAt, revoked_at AS revokedAt FROM api_keys';

export class SqliteStore implements Store {
  readonly path: string;
  private readonly database: SqliteDatabase;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Set<Promise<unknown>>();
  private nextSeq = 1;
  private workerError: Error | null = null;

  private constructor(path: string, database: SqliteDatabase, cacheMb: number | undefined) {
    this.path = path;
    this.database = database;
    this.worker = new Worker(new URL('./write-worker.js', import.meta.url), { workerData: { path, cacheMb } });
    this.worker.on('message', (reply: WriteReply) => {
      const waiting = this.pending.get(reply.seq);
      if (!waiting) return;
      this.pending.delete(reply.seq);
      if (reply.ok) waiting.resolve(reply);
      else waiting.reject(new DistillGuardError('store_failed', `writing to '${this.path}' failed: ${reply.message}`));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (this.pending.size > 0) this.failAll(new Error(`write worker exited with code ${code}`));
    });
  }

  /**
   * Opens or creates the store at `path` and migrates it. `cacheMb` sizes SQLite's page cache per
   * connection: large for bulk imports (the default), small for a long-running gateway.
   */
  static open(path: string, options: { cacheMb?: number } = {}): SqliteStore {
    return new SqliteStore(path, openDatabase(path, { cacheMb: options.cacheMb }), options.cacheMb);
  }

  /** The read connection, for queries by other adapters of this store (detection state, reports). */
  get connection(): SqliteDatabase {
    return this.database;
  }

  beginImport(kind: ImportKind, source: SourceInfo): number {
    const insertSource = this.database.prepare('INSERT INTO sources (kind, path, size, modified_ms) VALUES (?, ?, ?, ?)');
    const sourceId = Number(insertSource.run(source.kind, source.path, source.size, source.modifiedMs === null ? null : Math.round(source.modifiedMs)).lastInsertRowid);
    const rowsBefore = (this.database.prepare('SELECT count(*) FROM interactions').pluck().get() as number);
    const insertImport = this.database.prepare('INSERT INTO imports (kind, source_id, started_at, rows_before) VALUES (?, ?, ?, ?)');
    return Number(insertImport.run(kind, sourceId, new Date().toISOString(), rowsBefore).lastInsertRowid);
  }

  async writeInteractions(importId: number, rows: InteractionRow[]): Promise<Uint8Array> {
    const reply = await this.send({ op: 'interactions', importId, values: encodeInteractionRows(rows) });
    return reply.flags ?? new Uint8Array(rows.length);
  }

  async writeAccounts(importId: number, rows: AccountRow[]): Promise<number> {
    return (await this.send({ op: 'accounts', importId, rows })).result;
  }

  async writeRejections(importId: number, rows: RejectedLineRow[]): Promise<void> {
    await this.send({ op: 'rejections', importId, rows });
  }

  async finishImport(importId: number, tally: ImportTally): Promise<void> {
    await this.drain();
    this.database
      .prepare('UPDATE imports SET finished_at = ?, status = ?, lines = ?, accepted = ?, rejected = ?, distinct_records = ? WHERE id = ?')
      .run(new Date().toISOString(), tally.status, tally.lines, tally.accepted, tally.rejected, tally.distinct, importId);
  }

  summarizeInteractionImport(importId: number): InteractionImportSummary {
    const totals = this.database
      .prepare('SELECT count(*) AS interactions, count(DISTINCT account_id) AS accounts, min(ts_ms) AS fromMs, max(ts_ms) AS toMs FROM interactions WHERE import_id = ?')
      .get(importId) as { interactions: number; accounts: number; fromMs: number | null; toMs: number | null };
    const counts = this.database.prepare('SELECT rows_before FROM imports WHERE id = ?').pluck().get(importId) as number | undefined;
    const rowsNow = this.database.prepare('SELECT count(*) FROM interactions').pluck().get() as number;
    return { ...totals, newRecords: rowsNow - (counts ?? rowsNow) };
  }

  readAccounts(): AccountRow[] {
    const rows = this.database
      .prepare(`SELECT account_id AS accountId, created_at_ms AS createdAtMs, verification, org_id AS orgId, email_domain AS emailDomain,
                payment_fingerprint AS paymentFingerprint, country, signup_ip AS signupIp, record FROM accounts`)
      .all() as AccountRow[];
    return rows;
  }

  addBenchmarkItems(items: BenchmarkItemRow[]): void {
    const insert = this.database.prepare('INSERT INTO benchmark_items (suite, shingles, added_at) VALUES (?, ?, ?)');
    const now = new Date().toISOString();
    this.database.transaction(() => {
      for (const item of items) insert.run(item.suite, Buffer.from(item.shingles.buffer, item.shingles.byteOffset, item.shingles.byteLength), now);
    })();
  }

  readBenchmarkItems(): BenchmarkItemRow[] {
    const rows = this.database.prepare('SELECT suite, shingles FROM benchmark_items ORDER BY id').all() as { suite: string; shingles: Buffer }[];
    return rows.map((row) => ({ suite: row.suite, shingles: new Uint32Array(row.shingles.buffer.slice(row.shingles.byteOffset, row.shingles.byteOffset + row.shingles.byteLength)) }));
  }

  async readRawInteraction(id: string): Promise<string | null> {
    const row = this.database
      .prepare(`SELECT i.raw, i.byte_offset AS offset, i.byte_length AS length, s.kind, s.path
                FROM interactions i JOIN sources s ON s.id = i.source_id WHERE i.id = ?`)
      .get(id) as { raw: string | null; offset: number; length: number; kind: string; path: string | null } | undefined;
    if (!row) return null;
    if (row.raw !== null) return row.raw;
    if (!row.path) return null;
    if (row.kind === 'file') return readRange(row.path, row.offset, row.length);
    return readGzipRange(row.path, row.offset, row.length);
  }

  addApiKey(key: ApiKeyRow): void {
    this.database
      .prepare('INSERT INTO api_keys (key_id, account_id, secret_hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.keyId, key.accountId, key.secretHash, key.label, key.createdAt, key.revokedAt);
  }

  findApiKey(secretHash: string): ApiKeyRow | null {
    const row = this.database.prepare(`${selectKeys} WHERE secret_hash = ?`).get(secretHash) as ApiKeyRow | undefined;
    return row ?? null;
  }

  listApiKeys(accountId?: string): ApiKeyRow[] {
    if (accountId === undefined) return this.database.prepare(`${selectKeys} ORDER BY created_at, key_id`).all() as ApiKeyRow[];
    return this.database.prepare(`${selectKeys} WHERE account_id = ? ORDER BY created_at, key_id`).all(accountId) as ApiKeyRow[];
  }

  revokeApiKey(keyId: string, at: string): boolean {
    const result = this.database.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?').run(at, keyId);
    return result.changes > 0;
  }

  async writeDecisions(rows: DecisionRow[]): Promise<void> {
    if (rows.length > 0) await this.send({ op: 'decisions', rows });
  }

  readDecisions(options: { accountId?: string; limit?: number } = {}): DecisionRow[] {
    const limit = options.limit ?? -1;
    const columns = 'SELECT ts, account_id AS accountId, campaign_id AS campaignId, action, verdict, risk, reason FROM decisions';
    if (options.accountId !== undefined) return this.database.prepare(`${columns} WHERE account_id = ? ORDER BY id LIMIT ?`).all(options.accountId, limit) as DecisionRow[];
    return this.database.prepare(`${columns} ORDER BY id LIMIT ?`).all(limit) as DecisionRow[];
  }

  lastInteractionSeq(): number {
    return (this.database.prepare('SELECT coalesce(max(seq), 0) FROM interactions').pluck().get() as number) ?? 0;
  }

  async *exportInteractions(options: { upTo?: number } = {}): AsyncIterable<string> {
    await this.drain();
    const upTo = options.upTo ?? Number.MAX_SAFE_INTEGER;
    // paged by seq so that no read transaction stays open while the caller writes
    const page = this.database.prepare(
      `SELECT i.seq, i.raw, i.byte_offset AS offset, i.byte_length AS length, s.kind, s.path
       FROM interactions i JOIN sources s ON s.id = i.source_id WHERE i.seq > ? AND i.seq <= ? ORDER BY i.seq LIMIT 1000`,
    );
    let after = 0;
    for (;;) {
      const rows = page.all(after, upTo) as { seq: number; raw: string | null; offset: number; length: number; kind: string; path: string | null }[];
      if (rows.length === 0) return;
      for (const row of rows) {
        after = row.seq;
        if (row.raw !== null) yield row.raw;
        else if (row.path) {
          const raw = row.kind === 'file' ? await readRange(row.path, row.offset, row.length) : await readGzipRange(row.path, row.offset, row.length);
          if (raw === null) throw new DistillGuardError('input_unreadable', `interaction ${row.seq} points into '${row.path}', which can no longer be read. Re-import it or restore the file.`);
          yield raw;
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.drain();
    await this.send({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
    this.database.close();
  }

  private send(body: WriteRequestBody): Promise<{ result: number; flags?: Uint8Array }> {
    if (this.workerError) return Promise.reject(this.workerError);
    const seq = this.nextSeq++;
    const written = new Promise<{ result: number; flags?: Uint8Array }>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.worker.postMessage({ ...body, seq } as WriteRequest);
    });
    this.inflight.add(written);
    const settle = () => this.inflight.delete(written);
    written.then(settle, settle);
    return written;
  }

  /** Waits until every write sent so far has been committed (or has failed). */
  private async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  private failAll(error: Error): void {
    this.workerError = new DistillGuardError('store_failed', `the store's write worker failed: ${error.message}`, { cause: error });
    for (const waiting of this.pending.values()) waiting.reject(this.workerError);
    this.pending.clear();
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
