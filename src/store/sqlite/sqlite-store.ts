// The embedded store: one SQLite file on disk. Reads and import bookkeeping run on the caller's
// thread; batched writes run on a worker thread that owns the write connection.
import { Worker } from 'node:worker_threads';
import { DistillGuardError } from '../../core/index.js';
import type {
  AccountRow, ApiKeyRow, BenchmarkItemRow, DecisionRow, ImportKind, ImportTally, InteractionImportSummary, InteractionRow, RejectedLineRow, SourceInfo, Store,
} from '../store.js';
import { encodeInteractionRows } from './flat-rows.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteStoreReader } from './store-reader.js';
import type { WriteReply, WriteRequest, WriterThreadInfo } from './write-protocol.js';
import { WriterPriorityGuard, type WriterPriorityChange, type WriterPriorityLimits } from './writer-priority.js';
import { setThreadPolicy } from '../../core/background-priority.js';

type Pending = { resolve: (reply: { result: number; flags?: Uint8Array }) => void; reject: (error: Error) => void; sentAt: number };
type WriteRequestBody = WriteRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

const selectKeys = 'SELECT key_id AS keyId, account_id AS accountId, secret_hash AS secretHash, label, created_at AS createdAt, revoked_at AS revokedAt FROM api_keys';

export interface StoreOpenOptions {
  cacheMb?: number;
  writerNice?: number;
  writerYoungGenerationMb?: number;
  /**
   * Also run the write thread under SCHED_IDLE (Linux, where chrt is installed; needs
   * `writerNice`): it then never delays the caller's thread on a shared core. A guard raises it
   * back to the normal policy while a write waits longer than `writerGuard.raiseAfterMs`.
   */
  writerIdle?: boolean;
  writerGuard?: WriterPriorityLimits;
  /** Told when the write thread exits or fails (every write waiting on it has failed) and when it is restarted. */
  onWriterExit?: (error: Error, restartInMs: number) => void;
  /** Told each time the guard raises or lowers the write thread (`ok` false: chrt failed, the guard stops). */
  onWriterPriority?: (event: WriterPriorityEvent) => void;
}

export interface WriterPriorityEvent {
  change: WriterPriorityChange;
  /** How long the oldest unanswered write had waited, in ms. */
  waitedMs: number;
  ok: boolean;
}

/** Backoff of the write thread's restarts (ms). */
const firstRestartMs = 100;
const maxRestartMs = 5_000;

/** How often the guard looks at the oldest unanswered write (ms). */
const guardEveryMs = 250;

export class SqliteStore implements Store {
  readonly path: string;
  private readonly database: SqliteDatabase;
  private readonly reads: SqliteStoreReader;
  private readonly options: StoreOpenOptions;
  private worker: Worker;
  private goneWorker: Worker | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelayMs = firstRestartMs;
  private closing = false;
  private findInteraction: ReturnType<SqliteDatabase['prepare']> | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Set<Promise<unknown>>();
  private nextSeq = 1;
  private workerError: Error | null = null;
  private writer: WriterThreadInfo | null = null;
  private guardTimer: NodeJS.Timeout | null = null;

  private constructor(path: string, database: SqliteDatabase, options: StoreOpenOptions) {
    this.path = path;
    this.database = database;
    this.options = options;
    this.reads = new SqliteStoreReader(database);
    this.worker = this.startWorker();
  }

  /**
   * The write thread, supervised: when it exits or fails, every write waiting on it is failed
   * (whatever their number, so that no promise is left unsettled), and a new one is started after
   * a backoff (100 ms doubling to 5 s; back to 100 ms once a write succeeds).
   */
  private startWorker(): Worker {
    const options = this.options;
    const worker = new Worker(new URL('./write-worker.js', import.meta.url), {
      workerData: { path: this.path, cacheMb: options.cacheMb, nice: options.writerNice, idle: options.writerIdle === true },
      ...(options.writerYoungGenerationMb ? { resourceLimits: { maxYoungGenerationSizeMb: options.writerYoungGenerationMb } } : {}),
    });
    worker.on('message', (reply: WriteReply | WriterThreadInfo) => {
      if ('thread' in reply) {
        this.writer = reply;
        this.stopGuard();
        if (reply.priority === 'idle' && reply.thread !== null) this.guardWriter(reply.thread, new WriterPriorityGuard(options.writerGuard), options.onWriterPriority);
        return;
      }
      const waiting = this.pending.get(reply.seq);
      if (!waiting) return;
      this.pending.delete(reply.seq);
      if (reply.ok) {
        this.restartDelayMs = firstRestartMs;
        waiting.resolve(reply);
      } else waiting.reject(new DistillGuardError('store_failed', `writing to '${this.path}' failed: ${reply.message}`));
    });
    worker.on('error', (error) => this.workerGone(worker, error));
    worker.on('exit', (code) => this.workerGone(worker, new Error(`it exited with code ${code}`)));
    return worker;
  }

  private workerGone(worker: Worker, error: Error): void {
    if (this.goneWorker === worker) return; // 'error' is followed by 'exit'
    this.goneWorker = worker;
    this.stopGuard();
    this.failAll(error);
    if (this.closing) return;
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(maxRestartMs, delayMs * 2);
    this.options.onWriterExit?.(error, delayMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closing) return;
      this.workerError = null;
      this.worker = this.startWorker();
    }, delayMs);
    this.restartTimer.unref();
  }

  /**
   * Opens or creates the store at `path` and migrates it. `cacheMb` sizes SQLite's page cache per
   * connection: large for bulk imports (the default), small for a long-running gateway.
   * `writerNice` (Linux) lowers the write thread's priority: a gateway's requests come first.
   * `writerYoungGenerationMb` caps the write thread's V8 young generation (a long-running
   * gateway's memory); V8's default where absent.
   */
  static open(path: string, options: StoreOpenOptions = {}): SqliteStore {
    return new SqliteStore(path, openDatabase(path, { cacheMb: options.cacheMb }), options);
  }

  /** The write thread's kernel id and the priority it started with; null until it has started. */
  get writerThread(): WriterThreadInfo | null {
    return this.writer;
  }

  private guardWriter(thread: number, guard: WriterPriorityGuard, onChange?: (event: WriterPriorityEvent) => void): void {
    let changing = false;
    this.guardTimer = setInterval(() => {
      if (changing) return;
      const oldest = this.pending.values().next().value as Pending | undefined;
      const waitedMs = oldest ? performance.now() - oldest.sentAt : 0;
      const change = guard.check(waitedMs, performance.now());
      if (!change) return;
      changing = true;
      void setThreadPolicy(thread, change === 'raise' ? 'normal' : 'idle').then((ok) => {
        changing = false;
        onChange?.({ change, waitedMs, ok });
        if (ok) return;
        guard.failed(change);
        this.stopGuard();
      });
    }, guardEveryMs);
    this.guardTimer.unref();
  }

  private stopGuard(): void {
    if (this.guardTimer) clearInterval(this.guardTimer);
    this.guardTimer = null;
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
    return this.reads.readAccounts();
  }

  addBenchmarkItems(items: BenchmarkItemRow[]): void {
    const insert = this.database.prepare('INSERT INTO benchmark_items (suite, shingles, added_at) VALUES (?, ?, ?)');
    const now = new Date().toISOString();
    this.database.transaction(() => {
      for (const item of items) insert.run(item.suite, Buffer.from(item.shingles.buffer, item.shingles.byteOffset, item.shingles.byteLength), now);
    })();
  }

  readBenchmarkItems(): BenchmarkItemRow[] {
    return this.reads.readBenchmarkItems();
  }

  readRawInteraction(id: string): Promise<string | null> {
    return this.reads.readRawInteraction(id);
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
    return this.reads.lastInteractionSeq();
  }

  async *exportInteractions(options: { upTo?: number } = {}): AsyncIterable<string> {
    await this.drain();
    // paged by seq so that no read transaction stays open while the caller writes
    let after = 0;
    for (;;) {
      const page = await this.reads.interactionsAfter(after, 1000, options.upTo);
      if (page.through === after) return;
      after = page.through;
      // rows stored before the recorder made every raw one line may hold a client's line breaks
      for (const { raw } of page.interactions) yield raw.includes('\n') || raw.includes('\r') ? JSON.stringify(JSON.parse(raw)) : raw;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopGuard();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.drain();
    if (this.goneWorker !== this.worker) await this.send({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
    this.database.close();
  }

  /** Whether an interaction with this id is stored (the gateway's spool replay skips those). */
  hasInteraction(id: string): boolean {
    this.findInteraction ??= this.database.prepare('SELECT 1 FROM interactions WHERE id = ?');
    return this.findInteraction.get(id) !== undefined;
  }

  private send(body: WriteRequestBody): Promise<{ result: number; flags?: Uint8Array }> {
    if (this.workerError) return Promise.reject(this.workerError);
    const seq = this.nextSeq++;
    const written = new Promise<{ result: number; flags?: Uint8Array }>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, sentAt: performance.now() });
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
    this.workerError = new DistillGuardError('store_failed', `the store's write thread stopped (${error.message}); it is being restarted`, { cause: error });
    for (const waiting of this.pending.values()) waiting.reject(this.workerError);
    this.pending.clear();
  }
}
