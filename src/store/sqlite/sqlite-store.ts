// The embedded store: one SQLite file on disk. Reads run on the caller's thread; every write
// (batches, import bookkeeping, API keys) runs on a worker thread that owns the write connection.
import { Worker } from 'node:worker_threads';
import { DistillGuardError } from '../../core/index.js';
import type {
  AccountRow,
  AdminTokenRow,
  ApiKeyRow,
  BenchmarkItemRow,
  DecisionRow,
  ImportKind,
  ImportTally,
  InteractionImportSummary,
  InteractionRow,
  PruneOptions,
  PruneTally,
  RejectedLineRow,
  SourceInfo,
  Store,
} from '../store.js';
import type { RetentionRequest } from './retention-writer.js';
import { encodeInteractionRows } from './flat-rows.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteStoreReader, type UnreadableRow } from './store-reader.js';
import { TransactionGate } from './transaction-gate.js';
import { SqliteIntelTables } from './intel-tables.js';
import { SqliteTaxiiTables } from './taxii-tables.js';
import { SqliteDesignationTables } from './designation-tables.js';
import { SqliteDashboardTables } from './dashboard-tables.js';
import type { WriteReply, WriteRequest, WriterThreadInfo } from './write-protocol.js';
import type { WriterThreadHook } from './writer-thread.js';

type Pending = {
  resolve: (reply: { result: number; flags?: Uint8Array }) => void;
  reject: (error: Error) => void;
  sentAt: number;
};
type WriteRequestBody = WriteRequest extends infer R
  ? R extends { seq: number }
    ? Omit<R, 'seq'>
    : never
  : never;

const selectAdminTokens =
  'SELECT token_id AS tokenId, scopes, secret_hash AS secretHash, label, created_at AS createdAt, revoked_at AS revokedAt FROM admin_tokens';
const selectKeys =
  'SELECT key_id AS keyId, account_id AS accountId, secret_hash AS secretHash, label, created_at AS createdAt, revoked_at AS revokedAt FROM api_keys';

export interface StoreOpenOptions {
  cacheMb?: number;
  /** Told when the write thread starts and runs (a long-running gateway's runtime settings use it). */
  writerThread?: WriterThreadHook;
  /** Told when the write thread exits or fails (every write waiting on it has failed) and when it is restarted. */
  onWriterExit?: (error: Error, restartInMs: number) => void;
}

/** Backoff of the write thread's restarts (ms). */
const firstRestartMs = 100;
const maxRestartMs = 5_000;

export class SqliteStore implements Store {
  readonly path: string;
  /** Campaign findings, community keys, STIX objects and the warning list. */
  readonly intel: SqliteIntelTables;
  /** TAXII collections, partners and status resources. */
  readonly taxii: SqliteTaxiiTables;
  /** Users, the transparency log and cases. */
  readonly designation: SqliteDesignationTables;
  /** Account findings, audit runs, the dashboard's reads. */
  readonly dashboard: SqliteDashboardTables;
  private readonly database: SqliteDatabase;
  private readonly reads: SqliteStoreReader;
  /** Holds other callers back while a transaction of `designation.atomically` is open. */
  private readonly gate: TransactionGate;
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

  private constructor(path: string, database: SqliteDatabase, options: StoreOpenOptions) {
    this.path = path;
    this.database = database;
    this.options = options;
    this.reads = new SqliteStoreReader(database);
    this.gate = new TransactionGate(database);
    this.intel = new SqliteIntelTables(database, this.gate);
    this.taxii = new SqliteTaxiiTables(database, this.gate);
    this.designation = new SqliteDesignationTables(database, this.gate);
    this.dashboard = new SqliteDashboardTables(database, this.gate);
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
      workerData: { path: this.path, cacheMb: options.cacheMb },
      ...(options.writerThread?.resourceLimits
        ? { resourceLimits: options.writerThread.resourceLimits }
        : {}),
    });
    worker.on('message', (reply: WriteReply | WriterThreadInfo) => {
      if ('thread' in reply) {
        const stop = options.writerThread?.started({
          id: reply.thread,
          oldestWaitMs: () => this.oldestWaitMs(),
        });
        if (stop) worker.once('exit', stop);
        return;
      }
      const waiting = this.pending.get(reply.seq);
      if (!waiting) return;
      this.pending.delete(reply.seq);
      if (reply.ok) {
        this.restartDelayMs = firstRestartMs;
        waiting.resolve(reply);
      } else
        waiting.reject(
          new DistillGuardError(
            'store_failed',
            `writing to '${this.path}' failed: ${reply.message}`,
          ),
        );
    });
    worker.on('error', (error) => this.workerGone(worker, error));
    worker.on('exit', (code) => this.workerGone(worker, new Error(`it exited with code ${code}`)));
    return worker;
  }

  private workerGone(worker: Worker, error: Error): void {
    if (this.goneWorker === worker) return; // 'error' is followed by 'exit'
    this.goneWorker = worker;
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
   * `writerThread` is told when the write thread starts and runs.
   */
  static open(path: string, options: StoreOpenOptions = {}): SqliteStore {
    return new SqliteStore(path, openDatabase(path, { cacheMb: options.cacheMb }), options);
  }

  /** How long the oldest unanswered write has waited, in ms (0 when none is waiting). */
  private oldestWaitMs(): number {
    const oldest = this.pending.values().next().value as Pending | undefined;
    return oldest ? performance.now() - oldest.sentAt : 0;
  }

  /** The read connection, for queries by other adapters of this store (detection state, reports). */
  get connection(): SqliteDatabase {
    return this.database;
  }

  async beginImport(
    kind: ImportKind,
    source: SourceInfo,
    options: { bulk?: boolean } = {},
  ): Promise<number> {
    // only the fields: callers pass richer objects (an open input) that cannot cross to the thread
    const { kind: sourceKind, path, size, modifiedMs } = source;
    const request = {
      kind: 'begin-import',
      importKind: kind,
      source: { kind: sourceKind, path, size, modifiedMs },
      bulk: options.bulk === true,
    } as const;
    return (await this.send({ op: 'bookkeeping', request })).result;
  }

  async writeInteractions(importId: number, rows: InteractionRow[]): Promise<Uint8Array> {
    const reply = await this.send({
      op: 'interactions',
      importId,
      values: encodeInteractionRows(rows),
    });
    return reply.flags ?? new Uint8Array(rows.length);
  }

  async writeAccounts(importId: number, rows: AccountRow[]): Promise<number> {
    return (await this.send({ op: 'accounts', importId, rows })).result;
  }

  async writeRejections(importId: number, rows: RejectedLineRow[]): Promise<void> {
    await this.send({ op: 'rejections', importId, rows });
  }

  async finishImport(importId: number, tally: ImportTally): Promise<void> {
    // the write thread takes requests in order: this lands after every write sent before it
    await this.send({ op: 'bookkeeping', request: { kind: 'finish-import', importId, tally } });
  }

  async summarizeInteractionImport(importId: number): Promise<InteractionImportSummary> {
    while (this.gate.held()) await this.gate.released();
    const totals = this.database
      .prepare(
        'SELECT count(*) AS interactions, count(DISTINCT account_id) AS accounts, min(ts_ms) AS fromMs, max(ts_ms) AS toMs FROM interactions WHERE import_id = ?',
      )
      .get(importId) as {
      interactions: number;
      accounts: number;
      fromMs: number | null;
      toMs: number | null;
    };
    const counts = this.database
      .prepare('SELECT rows_before FROM imports WHERE id = ?')
      .pluck()
      .get(importId) as number | undefined;
    const rowsNow = this.database
      .prepare('SELECT count(*) FROM interactions')
      .pluck()
      .get() as number;
    return { ...totals, newRecords: rowsNow - (counts ?? rowsNow) };
  }

  async readAccounts(): Promise<AccountRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.reads.readAccounts();
  }

  async addBenchmarkItems(items: BenchmarkItemRow[]): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    const insert = this.database.prepare(
      'INSERT INTO benchmark_items (suite, shingles, added_at) VALUES (?, ?, ?)',
    );
    const now = new Date().toISOString();
    this.database.transaction(() => {
      for (const item of items)
        insert.run(
          item.suite,
          Buffer.from(item.shingles.buffer, item.shingles.byteOffset, item.shingles.byteLength),
          now,
        );
    })();
  }

  async readBenchmarkItems(): Promise<BenchmarkItemRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.reads.readBenchmarkItems();
  }

  readRawInteraction(id: string): Promise<string | null> {
    return this.reads.readRawInteraction(id);
  }

  async addApiKey(key: ApiKeyRow): Promise<void> {
    await this.send({ op: 'bookkeeping', request: { kind: 'add-key', key } });
  }

  async findApiKey(secretHash: string): Promise<ApiKeyRow | null> {
    while (this.gate.held()) await this.gate.released();
    const row = this.database.prepare(`${selectKeys} WHERE secret_hash = ?`).get(secretHash) as
      ApiKeyRow | undefined;
    return row ?? null;
  }

  async listApiKeys(accountId?: string): Promise<ApiKeyRow[]> {
    while (this.gate.held()) await this.gate.released();
    if (accountId === undefined)
      return this.database
        .prepare(`${selectKeys} ORDER BY created_at, key_id`)
        .all() as ApiKeyRow[];
    return this.database
      .prepare(`${selectKeys} WHERE account_id = ? ORDER BY created_at, key_id`)
      .all(accountId) as ApiKeyRow[];
  }

  async revokeApiKey(keyId: string, at: string): Promise<boolean> {
    return (
      (await this.send({ op: 'bookkeeping', request: { kind: 'revoke-key', keyId, at } })).result >
      0
    );
  }

  async addAdminToken(token: AdminTokenRow): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    this.database
      .prepare(
        'INSERT INTO admin_tokens (token_id, scopes, secret_hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        token.tokenId,
        token.scopes,
        token.secretHash,
        token.label,
        token.createdAt,
        token.revokedAt,
      );
  }

  async findAdminToken(secretHash: string): Promise<AdminTokenRow | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database.prepare(`${selectAdminTokens} WHERE secret_hash = ?`).get(secretHash) as
        AdminTokenRow | undefined) ?? null
    );
  }

  async listAdminTokens(): Promise<AdminTokenRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(`${selectAdminTokens} ORDER BY created_at, token_id`)
      .all() as AdminTokenRow[];
  }

  async revokeAdminToken(tokenId: string, at: string): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare('UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE token_id = ?')
        .run(at, tokenId).changes > 0
    );
  }

  async readSetting(name: string): Promise<string | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database.prepare('SELECT value FROM settings WHERE name = ?').pluck().get(name) as
        string | undefined) ?? null
    );
  }

  async writeSettingOnce(name: string, value: string): Promise<string> {
    while (this.gate.held()) await this.gate.released();
    // read first: a setting that exists costs no write lock (a read-only store still starts)
    const stored = await this.readSetting(name);
    if (stored !== null) return stored;
    this.database
      .prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO NOTHING')
      .run(name, value);
    return (await this.readSetting(name)) ?? value;
  }

  async writeDecisions(rows: DecisionRow[]): Promise<void> {
    if (rows.length > 0) await this.send({ op: 'decisions', rows });
  }

  async readDecisions(
    options: { accountId?: string; limit?: number } = {},
  ): Promise<DecisionRow[]> {
    while (this.gate.held()) await this.gate.released();
    const limit = options.limit ?? -1;
    const columns =
      'SELECT ts, account_id AS accountId, campaign_id AS campaignId, action, verdict, risk, reason FROM decisions';
    if (options.accountId !== undefined)
      return this.database
        .prepare(`${columns} WHERE account_id = ? ORDER BY id LIMIT ?`)
        .all(options.accountId, limit) as DecisionRow[];
    return this.database.prepare(`${columns} ORDER BY id LIMIT ?`).all(limit) as DecisionRow[];
  }

  async lastInteractionSeq(): Promise<number> {
    while (this.gate.held()) await this.gate.released();
    return this.reads.lastInteractionSeq();
  }

  async *exportInteractions(
    options: { upTo?: number; onUnreadable?: UnreadableRow } = {},
  ): AsyncIterable<string> {
    await this.drain();
    // paged by seq so that no read transaction stays open while the caller writes
    let after = 0;
    for (;;) {
      const page = await this.reads.interactionsAfter(
        after,
        1000,
        options.upTo,
        options.onUnreadable,
      );
      if (page.through === after) return;
      after = page.through;
      // rows stored before the recorder made every raw one line may hold a client's line breaks
      for (const { raw } of page.interactions)
        yield raw.includes('\n') || raw.includes('\r') ? JSON.stringify(JSON.parse(raw)) : raw;
    }
  }

  async prune(options: PruneOptions): Promise<PruneTally> {
    const tally: PruneTally = { rowsDeleted: 0, textPruned: 0, rejectedTextPruned: 0, batches: 0 };
    const batch = async (request: RetentionRequest) => {
      if (options.signal?.aborted)
        throw new DistillGuardError('store_failed', 'pruning stopped: the store is closing.');
      tally.batches += 1;
      return (await this.send({ op: 'bookkeeping', request })).result;
    };
    const { first, last } = this.database
      .prepare('SELECT min(seq) AS first, max(seq) AS last FROM interactions')
      .get() as { first: number | null; last: number | null };
    const step = options.batchRows ?? 1000;
    // rows newer than `last` arrived after the start: they are not due
    for (
      let fromSeq = first ?? 1;
      first !== null && last !== null && fromSeq <= last;
      fromSeq += step
    ) {
      const toSeq = fromSeq + step;
      if (options.rowsBeforeMs !== undefined)
        tally.rowsDeleted += await batch({
          kind: 'prune-rows',
          fromSeq,
          toSeq,
          beforeMs: options.rowsBeforeMs,
        });
      if (options.textBeforeMs !== undefined)
        tally.textPruned += await batch({
          kind: 'prune-text',
          fromSeq,
          toSeq,
          beforeMs: options.textBeforeMs,
        });
    }
    const textBeforeMs = Math.max(
      options.textBeforeMs ?? Number.NEGATIVE_INFINITY,
      options.rowsBeforeMs ?? Number.NEGATIVE_INFINITY,
    );
    if (Number.isFinite(textBeforeMs)) {
      for (;;) {
        const emptied = await batch({
          kind: 'prune-rejected-text',
          beforeMs: textBeforeMs,
          limit: step,
        });
        tally.rejectedTextPruned += emptied;
        if (emptied < step) break;
      }
    }
    return tally;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.drain();
    if (this.goneWorker !== this.worker) await this.send({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
    this.reads.close();
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
    this.workerError = new DistillGuardError(
      'store_failed',
      `the store's write thread stopped (${error.message}); it is being restarted`,
      { cause: error },
    );
    for (const waiting of this.pending.values()) waiting.reject(this.workerError);
    this.pending.clear();
  }
}
