// Writes every exchange off the hot path: records queue in memory and are flushed in batches to
// the store's write thread, where live detection's tail finds them. Nothing waits on a write.
import { singleLineJson, type Interaction } from '../core/index.js';
import { toInteractionRow } from '../ingest/index.js';
import type { InteractionRow, RejectedLineRow, Store } from '../store/index.js';

export interface RecorderOptions {
  /** Longest a record waits before its batch is written (ms; default 20). */
  flushEveryMs?: number;
  /** A batch is written as soon as it holds this many records (default 64). */
  batchSize?: number;
  onError?: (error: Error) => void;
}

// Small batches, often: the write thread shares the request thread's core on small machines, and
// each batch is one burst of SQLite work that Linux lets run out its time slice (about 1.4 ms)
// before a request arriving may take the core back. 64 rows are about 0.6 ms of writing. With
// batches of up to 100 ms (300 rows at 3,000 req/s) the gateway's p99 there was 1.5-2.3 times
// higher (BENCHMARKS.md).
const defaultFlushEveryMs = 20;
const defaultBatchSize = 64;
/** Longest text of a rejected record kept in rejected_lines (as ingest keeps rejected lines). */
const maxKeptText = 1 << 20;

export interface RecorderHealth {
  writable: boolean;
  reason: string | null;
  queued: number;
  inFlight: number;
  dropped: number;
}

export class InteractionRecorder {
  private readonly store: Store;
  private readonly importId: number;
  private readonly options: RecorderOptions;
  private readonly timer: NodeJS.Timeout;
  /** Rows ready for the store: scalars and the raw JSON, never the parsed record (which would survive young-generation GCs while queued). */
  private queue: InteractionRow[] = [];
  private rejections: RejectedLineRow[] = [];
  /** Each record offered to this import, kept or rejected, gets the next line number (rejected_lines is keyed by it). */
  private lines = 0;
  private readonly writes = new Set<Promise<void>>();
  private recorded = 0;
  private failed = 0;

  constructor(store: Store, importId: number, options: RecorderOptions = {}) {
    this.store = store;
    this.importId = importId;
    this.options = options;
    this.timer = setInterval(() => this.flush(), options.flushEveryMs ?? defaultFlushEveryMs);
    this.timer.unref();
  }

  /** Queues one exchange; `tsMs` is its parsed `ts`; `raw`, when the caller has it, is the record as JSON. */
  add(record: Interaction, tsMs: number, raw: string = JSON.stringify(record)): void {
    // a client's pretty-printed body is spliced in as sent: the stored raw must stay one JSON Lines line
    this.queue.push(toInteractionRow(record, (this.lines += 1), 0, 0, singleLineJson(raw), tsMs));
    if (this.queue.length >= (this.options.batchSize ?? defaultBatchSize)) this.flush();
  }

  /** Keeps a record refused at the edge (the sidecar's POST /v1/ingest) in rejected_lines, under this import. */
  reject(rejection: { field: string; reason: string; text: string }): void {
    this.rejections.push({ line: (this.lines += 1), field: rejection.field, reason: rejection.reason, text: rejection.text.slice(0, maxKeptText) });
  }

  /**
   * Whether exchanges reach the store, for /health and metrics: `writable` false (with `reason`)
   * while writes fail; `queued` waits in memory, `inFlight` is posted to the write thread, `dropped`
   * could not be stored at all.
   */
  health(): RecorderHealth {
    return { writable: true, reason: null, queued: this.queue.length, inFlight: 0, dropped: 0 };
  }

  get counts(): { recorded: number; queued: number; failed: number } {
    return { recorded: this.recorded, queued: this.queue.length, failed: this.failed };
  }

  flush(): void {
    if (this.rejections.length > 0) {
      const rejections = this.rejections;
      this.rejections = [];
      const write = this.store.writeRejections(this.importId, rejections).catch((error: Error) => this.options.onError?.(error));
      this.writes.add(write);
      void write.finally(() => this.writes.delete(write));
    }
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const write = this.store
      .writeInteractions(this.importId, batch)
      .then(() => {
        this.recorded += batch.length;
      })
      .catch((error: Error) => {
        // keep the batch: it is retried with the next flush rather than lost
        this.failed += 1;
        this.queue.unshift(...batch);
        this.options.onError?.(error);
      });
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Writes everything queued and waits for it (graceful drain on shutdown). */
  async drain(): Promise<void> {
    for (let attempt = 0; attempt < 3 && (this.queue.length > 0 || this.writes.size > 0); attempt += 1) {
      this.flush();
      await Promise.allSettled([...this.writes]);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.drain();
  }
}
