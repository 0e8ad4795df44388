// Writes every exchange off the hot path: records queue in memory (bounded), are appended to the
// spool each flush (durable against a killed process) and written in batches by the store's write
// thread, where live detection's tail finds them. Nothing waits on a write; failures are retried
// with backoff, counted, and logged once per episode.
import { singleLineJson, type Interaction } from '../core/index.js';
import { toInteractionRow } from '../ingest/index.js';
import {
  refusedRecord,
  type InteractionRow,
  type RejectedLineRow,
  type Store,
} from '../store/index.js';
import type { InteractionEvent } from '../bus/index.js';
import { RecorderSpool } from './recorder-spool.js';

/** Why exchanges were not stored: the queue was full (the newest are dropped), retries ran out, or shutdown's deadline passed. */
export type DropReason = 'queue_full' | 'retries_exhausted' | 'shutdown';

/** What the recorder logs: pino's signature (`log.warn({ fields }, 'message')`). */
export interface RecorderLog {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface RecorderOptions {
  /** Longest a record waits before its batch is spooled and written (ms; default 20). */
  flushEveryMs?: number;
  /** A batch is written as soon as it holds this many records (default 64). */
  batchSize?: number;
  /** Records held in memory (queued and in flight) at most; beyond it the newest are dropped (default 50,000). */
  maxQueuedRows?: number;
  /** Characters of raw JSON held in memory at most, the same way (default 64 Mi). */
  maxQueuedBytes?: number;
  /** First wait after a failed write (ms; default 100), doubling up to `retryMaxMs` (default 5,000). */
  retryFirstMs?: number;
  retryMaxMs?: number;
  /** Attempts of one batch before it is dropped and counted (default 60: about 4.5 minutes of failures). */
  retryAttempts?: number;
  /** The spool file; none when absent (exchanges then wait in memory only). */
  spoolPath?: string | null;
  /** Empty the spool once everything in it is stored and it is this large (bytes; default 4 MiB). */
  spoolTruncateBytes?: number;
  /** Whether the store already holds an id (replayed spool rows that were committed are skipped). */
  alreadyStored?: (id: string) => boolean;
  log?: RecorderLog;
  /** Told of every record not stored (metrics). */
  onDropped?: (rows: number, reason: DropReason) => void;
  /** Told of every record the store refused (kept in rejected_lines). */
  onRejected?: (rows: number) => void;
  /** Hands every exchange to the bus as well (its outbox), whatever becomes of it in the store. */
  forward?: (event: InteractionEvent) => void;
}

// Small batches, often: the write thread shares the request thread's core on small machines, and
// each batch is one burst of SQLite work that Linux lets run out its time slice (about 1.4 ms)
// before a request arriving may take the core back. 64 rows are about 0.6 ms of writing. With
// batches of up to 100 ms (300 rows at 3,000 req/s) the gateway's p99 there was 1.5-2.3 times
// higher (BENCHMARKS.md). A backlog (after an outage) is written in larger batches.
const defaultFlushEveryMs = 20;
const defaultBatchSize = 64;
const catchUpBatches = 16;
/** Longest text of a rejected record kept in rejected_lines (as ingest keeps rejected lines). */
const maxKeptText = 1 << 20;

export interface RecorderHealth {
  /** False while writes to the store fail (with `reason`). */
  writable: boolean;
  reason: string | null;
  /** Records waiting in memory; `inFlight`: the batch posted to the write thread. */
  queued: number;
  inFlight: number;
  /** Records not stored since the start (queue full, retries exhausted, shutdown). */
  dropped: number;
  /** Records the store refused (kept in rejected_lines). */
  rejected: number;
  /** Why the spool cannot be written, if it cannot (exchanges then wait in memory only). */
  spool: string | null;
}

/** What the recorder could not store when it closed. */
export interface RecorderReport {
  recorded: number;
  /** Refused at the edge (reject) or by the store, kept in rejected_lines. */
  rejected: number;
  /** Dropped while running (queue full, retries exhausted). */
  dropped: number;
  /** Still unstored at close: in the spool (stored by the next start) when `spooled`. */
  unstored: number;
  spooled: boolean;
}

interface Episode {
  since: number;
  reason: string;
  droppedBefore: number;
}

export class InteractionRecorder {
  private readonly store: Store;
  private readonly importId: number;
  private readonly options: RecorderOptions;
  private readonly timer: NodeJS.Timeout;
  private readonly batchSize: number;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  /** Rows ready for the store: scalars and the raw JSON, never the parsed record (which would survive young-generation GCs while queued). */
  private queue: InteractionRow[] = [];
  /** Rows added since the last spool append (the tail of `queue`). */
  private unspooled: InteractionRow[] = [];
  private inFlight: InteractionRow[] | null = null;
  private inFlightWrite: Promise<void> | null = null;
  private heldBytes = 0;
  private rejections: RejectedLineRow[] = [];
  private readonly rejectionWrites = new Set<Promise<void>>();
  /** Each record offered to this import, kept or rejected, gets the next line number (rejected_lines is keyed by it). */
  private lines = 0;
  private recorded = 0;
  private refused = 0;
  private edgeRejected = 0;
  private dropped = 0;
  private failed = 0;
  private attempt = 0;
  private retryAt = 0;
  private episode: Episode | null = null;
  private overflowing = false;
  private lastRefusalLogAt = -Infinity;
  private spool: RecorderSpool | null = null;
  private spoolProblem: string | null = null;
  /** Rows appended to the spool since it was last emptied, and how many of them are settled (stored, refused or dropped). */
  private spooledRows = 0;
  private settledRows = 0;
  private stopped = false;

  constructor(store: Store, importId: number, options: RecorderOptions = {}) {
    this.store = store;
    this.importId = importId;
    this.options = options;
    this.batchSize = options.batchSize ?? defaultBatchSize;
    this.maxRows = options.maxQueuedRows ?? 50_000;
    this.maxBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    if (options.spoolPath) this.openSpool(options.spoolPath);
    this.timer = setInterval(() => this.flush(), options.flushEveryMs ?? defaultFlushEveryMs);
    this.timer.unref();
  }

  /** Queues one exchange; `tsMs` is its parsed `ts`; `raw`, when the caller has it, is the record as JSON. */
  add(record: Interaction, tsMs: number, raw: string = JSON.stringify(record)): void {
    // a client's pretty-printed body is spliced in as sent: the stored raw must stay one JSON Lines line
    const line = singleLineJson(raw);
    this.options.forward?.({ id: record.id, accountId: record.account_id, json: line });
    if (
      this.queue.length + (this.inFlight?.length ?? 0) >= this.maxRows ||
      this.heldBytes + line.length > this.maxBytes
    ) {
      this.drop(1, 'queue_full');
      return;
    }
    const row = toInteractionRow(record, (this.lines += 1), 0, 0, line, tsMs);
    this.queue.push(row);
    if (this.spool) this.unspooled.push(row);
    this.heldBytes += line.length;
    // a full batch goes at once, unless one is in flight or a retry waits: the reply or the timer
    // then takes it (one spool append per batch, never one per record)
    if (this.queue.length >= this.batchSize && this.inFlight === null && this.retryAt === 0)
      this.flush();
  }

  /** Keeps a record refused at the edge (the sidecar's POST /v1/ingest) in rejected_lines, under this import. */
  reject(rejection: { field: string; reason: string; text: string }): void {
    this.edgeRejected += 1;
    this.rejections.push({
      line: (this.lines += 1),
      field: rejection.field,
      reason: rejection.reason,
      text: rejection.text.slice(0, maxKeptText),
    });
  }

  /**
   * Whether exchanges reach the store, for /health and metrics: `writable` false (with `reason`)
   * while writes fail; `queued` waits in memory, `inFlight` is posted to the write thread, `dropped`
   * could not be stored at all.
   */
  health(): RecorderHealth {
    return {
      writable: this.episode === null,
      reason: this.episode?.reason ?? null,
      queued: this.queue.length,
      inFlight: this.inFlight?.length ?? 0,
      dropped: this.dropped,
      rejected: this.refused,
      spool: this.spoolProblem,
    };
  }

  /** `queued` counts every record not yet stored (waiting and in flight). */
  get counts(): { recorded: number; queued: number; failed: number } {
    return {
      recorded: this.recorded,
      queued: this.queue.length + (this.inFlight?.length ?? 0),
      failed: this.failed,
    };
  }

  /** Spools what was added since the last flush, then posts the next batch unless one is in flight or a retry is waiting. */
  flush(): void {
    this.appendToSpool();
    if (this.rejections.length > 0) this.writeRejections();
    if (
      this.stopped ||
      this.inFlight ||
      this.queue.length === 0 ||
      performance.now() < this.retryAt
    )
      return;
    const limit = this.batchSize * catchUpBatches;
    const batch = this.queue.length <= limit ? this.queue : this.queue.slice(0, limit);
    this.queue = batch === this.queue ? [] : this.queue.slice(limit);
    this.inFlight = batch;
    const write = this.store.writeInteractions(this.importId, batch).then(
      (flags) => this.written(batch, flags),
      (error: Error) => this.writeFailed(batch, error),
    );
    this.inFlightWrite = write;
  }

  /**
   * Writes everything queued and waits for it, for at most `withinMs` (default 10 s); resolves with
   * how many records are still unstored (0 when all were written).
   */
  async drain(withinMs = 10_000): Promise<number> {
    const deadline = performance.now() + withinMs;
    for (;;) {
      this.flush();
      const unstored = this.queue.length + (this.inFlight?.length ?? 0);
      if (unstored === 0 && this.rejections.length === 0 && this.rejectionWrites.size === 0)
        return 0;
      const left = deadline - performance.now();
      if (left <= 0) return unstored;
      const sleep = (ms: number) =>
        new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(left, ms))));
      // the write in flight, else the retry's backoff, else the rejections being kept (each bounded by the deadline)
      if (this.inFlight && this.inFlightWrite)
        await Promise.race([this.inFlightWrite, sleep(left)]);
      else if (this.retryAt > performance.now()) await sleep(this.retryAt - performance.now());
      else await Promise.race([...this.rejectionWrites, sleep(20)]);
    }
  }

  /**
   * Stops the timer and drains for at most `withinMs`. Whatever is still unstored stays in the spool
   * (when there is one) for the next start, and is counted as dropped for this run.
   */
  async close(withinMs = 10_000): Promise<RecorderReport> {
    clearInterval(this.timer);
    await this.drain(withinMs);
    this.stopped = true;
    this.appendToSpool();
    const unstored = this.queue.length + (this.inFlight?.length ?? 0);
    const spooled = this.spool !== null && this.spoolProblem === null;
    if (unstored > 0) this.options.onDropped?.(unstored, 'shutdown');
    if (this.spool) {
      // emptied only when everything in it is stored: else the next start replays it
      if (unstored === 0 && this.settledRows === this.spooledRows) this.tryTruncate();
      await this.spool.close();
      this.spool = null;
    }
    return {
      recorded: this.recorded,
      rejected: this.refused + this.edgeRejected,
      dropped: this.dropped,
      unstored,
      spooled,
    };
  }

  private written(batch: InteractionRow[], flags: Uint8Array): void {
    this.inFlight = null;
    this.release(batch);
    let refused = 0;
    for (let index = 0; index < flags.length; index += 1)
      if (flags[index] === refusedRecord) refused += 1;
    this.recorded += batch.length - refused;
    if (refused > 0) this.refusedRows(refused);
    this.attempt = 0;
    this.retryAt = 0;
    if (this.episode) {
      const episode = this.episode;
      this.episode = null;
      this.options.log?.info(
        {
          failedForMs: Math.round(performance.now() - episode.since),
          queued: this.queue.length,
          droppedMeanwhile: this.dropped - episode.droppedBefore,
        },
        'the store is writable again: queued exchanges are being written',
      );
    }
    if (
      this.spool &&
      this.settledRows === this.spooledRows &&
      this.spool.size >= (this.options.spoolTruncateBytes ?? 4 * 1024 * 1024)
    )
      this.tryTruncate();
    if (this.queue.length >= this.batchSize) this.flush();
  }

  private writeFailed(batch: InteractionRow[], error: Error): void {
    this.inFlight = null;
    this.failed += 1;
    this.attempt += 1;
    if (!this.episode) {
      this.episode = {
        since: performance.now(),
        reason: error.message,
        droppedBefore: this.dropped,
      };
      this.options.log?.error(
        { err: error, queued: this.queue.length + batch.length },
        'the store cannot be written: exchanges wait in memory (bounded) and are retried with backoff; this is logged again when it recovers',
      );
    } else this.episode.reason = error.message;
    if (this.attempt >= (this.options.retryAttempts ?? 60)) {
      this.attempt = 0;
      this.release(batch);
      this.drop(batch.length, 'retries_exhausted');
    } else {
      // back at the head, in order; the next attempt waits
      this.queue = this.queue.length === 0 ? batch : batch.concat(this.queue);
    }
    const first = this.options.retryFirstMs ?? 100;
    this.retryAt =
      performance.now() +
      Math.min(this.options.retryMaxMs ?? 5_000, first * 2 ** Math.min(this.attempt, 20));
  }

  private release(batch: InteractionRow[]): void {
    for (const row of batch) this.heldBytes -= row.raw?.length ?? 0;
    if (this.spool) this.settledRows += batch.length;
    if (
      this.overflowing &&
      this.queue.length < this.maxRows / 2 &&
      this.heldBytes < this.maxBytes / 2
    )
      this.overflowing = false;
  }

  private drop(rows: number, reason: Exclude<DropReason, 'shutdown'>): void {
    this.dropped += rows;
    this.options.onDropped?.(rows, reason);
    if (reason === 'queue_full') {
      if (this.overflowing) return;
      this.overflowing = true;
      this.options.log?.error(
        { maxQueuedRows: this.maxRows, maxQueuedBytes: this.maxBytes },
        "the recorder's queue is full: the newest exchanges are not stored (counted in distillguard_gateway_recorder_dropped_total) until it has room again",
      );
    } else {
      this.options.log?.error(
        { rows, attempts: this.options.retryAttempts ?? 60 },
        'a batch of exchanges could not be stored after every retry and is dropped',
      );
    }
  }

  private refusedRows(rows: number): void {
    this.refused += rows;
    this.options.onRejected?.(rows);
    // at most one line a minute however many rows are refused
    const now = performance.now();
    if (now - this.lastRefusalLogAt < 60_000) return;
    this.lastRefusalLogAt = now;
    this.options.log?.warn(
      { rows, rejectedSoFar: this.refused },
      'the store refused exchanges (kept in rejected_lines with the reason); the rest of their batch was stored',
    );
  }

  private writeRejections(): void {
    const rejections = this.rejections;
    this.rejections = [];
    const write = this.store.writeRejections(this.importId, rejections).catch((error: Error) => {
      this.options.log?.error(
        { err: error, rows: rejections.length },
        'rejected records could not be kept in rejected_lines',
      );
    });
    this.rejectionWrites.add(write);
    void write.finally(() => this.rejectionWrites.delete(write));
  }

  private openSpool(path: string): void {
    let contents: ReturnType<typeof RecorderSpool.read> = { records: [], unreadable: 0 };
    try {
      contents = RecorderSpool.read(path);
      this.spool = RecorderSpool.open(path, (error) => this.spoolWritten(error));
    } catch (error) {
      this.spoolProblem = (error as Error).message;
      this.options.log?.error(
        { err: error, path },
        'the spool cannot be opened: exchanges wait in memory only until stored',
      );
    }
    // exchanges a killed gateway answered but never stored: queue those the store lacks (they are
    // in the spool already), and count the rest as settled
    let replayed = 0;
    let unreadable = contents.unreadable;
    for (const { tsMs, raw } of contents.records) {
      let record: Interaction;
      try {
        record = JSON.parse(raw) as Interaction;
      } catch {
        unreadable += 1;
        continue;
      }
      if (this.options.alreadyStored?.(record.id)) continue;
      this.queue.push(toInteractionRow(record, (this.lines += 1), 0, 0, raw, tsMs));
      this.heldBytes += raw.length;
      replayed += 1;
    }
    this.spooledRows = contents.records.length;
    this.settledRows = contents.records.length - replayed;
    if (contents.records.length > 0 || unreadable > 0) {
      this.options.log?.info(
        {
          path,
          replayed,
          alreadyStored: contents.records.length - replayed - (unreadable - contents.unreadable),
          unreadable,
        },
        'spool replayed: exchanges answered before the last stop that the store lacked are being written',
      );
    }
    if (this.spool && replayed === 0) this.tryTruncate();
  }

  private appendToSpool(): void {
    if (!this.spool || this.unspooled.length === 0) return;
    const records = this.unspooled;
    this.unspooled = [];
    // counted as spooled whatever the write's outcome: a failed one leaves the rows queued in
    // memory (only not safe from a kill), and the spool is still emptied once the rest is stored
    this.spool.append(records);
    this.spooledRows += records.length;
  }

  /** How a queued spool write went: one log line when writes start failing, one when they work again. */
  private spoolWritten(error: Error | null): void {
    const path = this.spool?.path ?? this.options.spoolPath;
    if (error === null) {
      if (this.spoolProblem === null) return;
      this.spoolProblem = null;
      this.options.log?.info({ path }, 'the spool is writable again');
      return;
    }
    if (this.spoolProblem === null)
      this.options.log?.error(
        { err: error, path },
        'the spool cannot be written: exchanges wait in memory only until stored; this is logged again when it recovers',
      );
    this.spoolProblem = error.message;
  }

  private tryTruncate(): void {
    // queued after every append before it; a failure is reported like a failed append (and the
    // next start skips what is stored)
    this.spool?.truncate();
    this.spooledRows = 0;
    this.settledRows = 0;
  }
}
