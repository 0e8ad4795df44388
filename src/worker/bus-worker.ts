// `distillguard worker`: reads the partitions of the bus it holds leases on and stores every event
// in PostgreSQL, once by id whatever the redeliveries, then acks it. Several workers share the
// partitions (partition-leases.ts); one killed loses its partitions when its leases expire, and
// the events it had not acked are delivered again to the next holder.
// Not yet here: folding events into account state, checkpoints, clustering, verdicts (docs/scale.md).
import { validateInteraction, type Interaction, type Validator } from '../core/index.js';
import type { NatsBus, PartitionReader, StreamEvent } from '../bus/index.js';
import { parseRecord, toInteractionRow } from '../ingest/index.js';
import {
  conflictingRecord,
  type InteractionRow,
  type PgStore,
  type RejectedLineRow,
} from '../store/index.js';
import { PartitionLeases } from './partition-leases.js';

/** The few logger calls the worker makes (pino fits). */
export interface WorkerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface BusWorkerOptions {
  store: PgStore;
  bus: NatsBus;
  /** Stable across restarts is not needed: a new id is a new worker to the others. */
  workerId: string;
  host: string;
  /** Lease length (ms); a killed worker's partitions move after at most this long. */
  leaseMs?: number;
  /** Events read per fetch. */
  batch?: number;
  /** How long a fetch waits for events (ms; 1,000 at least): a stop waits for the fetches under way. */
  fetchWaitMs?: number;
  /** How long a delivered event waits for its ack before it goes to a reader again (ms). */
  ackWaitMs?: number;
  log: WorkerLog;
}

export interface WorkerCounts {
  /**
   * Events counted for this worker's run (its import): new to the store, or stored by another
   * worker that had not acked them yet (the store holds them once; both workers count them).
   */
  stored: number;
  /** Events whose id this worker's run had already stored (a redelivery, or a publish repeated after the duplicate window). */
  repeats: number;
  /** Events under a stored id with other content (kept as they were stored first). */
  conflicts: number;
  /** Events that are not valid interaction records (kept in rejected_lines, line = stream sequence). */
  rejected: number;
}

/** One partition being read: the loop, and a way to stop it between batches. */
interface PartitionRun {
  generation: number;
  stop(): void;
  done: Promise<void>;
}

export class BusWorker {
  readonly counts: WorkerCounts = { stored: 0, repeats: 0, conflicts: 0, rejected: 0 };
  private readonly options: Required<Omit<BusWorkerOptions, 'log'>> & { log: WorkerLog };
  private readonly leases: PartitionLeases;
  private readonly validate: Validator<Interaction> = validateInteraction();
  private readonly running = new Map<number, PartitionRun>();
  private importId = 0;
  private timer: NodeJS.Timeout | null = null;
  private rounding: Promise<void> = Promise.resolve();
  private stopping = false;

  private constructor(options: BusWorkerOptions) {
    this.options = {
      leaseMs: 15_000,
      batch: 500,
      fetchWaitMs: 1_000,
      ackWaitMs: 30_000,
      ...options,
    };
    this.leases = new PartitionLeases(options.store.database, {
      workerId: options.workerId,
      host: options.host,
      partitions: options.bus.partitions,
      leaseMs: this.options.leaseMs,
    });
  }

  /** Registers the worker, takes its share of partitions and starts reading them. */
  static async start(options: BusWorkerOptions): Promise<BusWorker> {
    const worker = new BusWorker(options);
    worker.importId = await options.store.beginImport('interactions', {
      kind: 'bus',
      path: `worker ${options.workerId}`,
      size: null,
      modifiedMs: null,
    });
    await worker.round();
    worker.timer = setInterval(
      () => {
        worker.rounding = worker.rounding.then(() => worker.round());
      },
      Math.max(100, Math.floor(worker.options.leaseMs / 3)),
    );
    return worker;
  }

  /** The partitions this worker reads now. */
  get partitions(): number[] {
    return [...this.running.keys()].sort((a, b) => a - b);
  }

  /** One lease round; a failed round (PostgreSQL away) is logged and tried at the next. */
  private async round(): Promise<void> {
    if (this.stopping) return;
    try {
      const { held, excess } = await this.leases.round();
      for (const [partition, run] of this.running)
        if (held.get(partition) !== run.generation) {
          // lost (expired while this worker was cut off, and taken): stop reading it
          run.stop();
          this.running.delete(partition);
          this.options.log.warn({ partition }, `lost the lease of partition ${partition}`);
        }
      if (excess.length > 0) {
        const stopping = excess.flatMap((partition) => this.running.get(partition) ?? []);
        for (const run of stopping) run.stop();
        await Promise.all(stopping.map((run) => run.done));
        for (const partition of excess) this.running.delete(partition);
        await this.leases.release(excess);
        this.options.log.info(
          { partitions: excess },
          `gave back ${excess.length} partition(s) to the other workers`,
        );
      }
      for (const [partition, generation] of held)
        if (!this.running.has(partition) && !excess.includes(partition))
          this.running.set(partition, this.read(partition, generation));
    } catch (error) {
      this.options.log.error(
        { err: error },
        `lease round failed: ${(error as Error).message}; trying again`,
      );
    }
  }

  /** Reads one partition until stopped: fetch, store, ack. */
  private read(partition: number, generation: number): PartitionRun {
    let stopped = false;
    const done = (async () => {
      let reader: PartitionReader | null = null;
      while (!stopped) {
        try {
          const current = (reader ??= await this.options.bus.reader(partition, {
            ackWaitMs: this.options.ackWaitMs,
            maxAckPending: this.options.batch * 4,
          }));
          const events = await current.fetch(this.options.batch, this.options.fetchWaitMs);
          if (events.length === 0) continue;
          await this.store(events);
          await current.ackFetched();
        } catch (error) {
          // NATS or PostgreSQL away: what was fetched and not stored is delivered again
          try {
            reader?.nakFetched();
          } catch {
            // NATS is away too: the events come again after ack_wait
          }
          this.options.log.warn(
            { partition, err: error },
            `partition ${partition}: ${(error as Error).message}; retrying`,
          );
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    })();
    this.options.log.info({ partition, generation }, `reading partition ${partition}`);
    return { generation, stop: () => (stopped = true), done };
  }

  private async store(events: StreamEvent[]): Promise<void> {
    const rows: InteractionRow[] = [];
    const rejections: RejectedLineRow[] = [];
    for (const event of events) {
      const parsed = parseRecord(event.json, this.validate);
      if (parsed.ok) rows.push(toInteractionRow(parsed.record, event.streamSeq, 0, 0, event.json));
      else
        rejections.push({
          line: event.streamSeq,
          field: parsed.field,
          reason: parsed.reason,
          text: event.json.slice(0, 1 << 20),
        });
    }
    if (rows.length > 0) {
      const flags = await this.options.store.writeInteractions(this.importId, rows);
      for (const flag of flags) {
        if (flag === 1) this.counts.stored += 1;
        else if (flag === conflictingRecord) this.counts.conflicts += 1;
        else this.counts.repeats += 1;
      }
    }
    if (rejections.length > 0) {
      await this.options.store.writeRejections(this.importId, rejections);
      this.counts.rejected += rejections.length;
      this.options.log.warn(
        { first: rejections[0].line, count: rejections.length },
        `stored ${rejections.length} event(s) that are not interaction records as rejected lines (first: stream sequence ${rejections[0].line}, ${rejections[0].field}: ${rejections[0].reason})`,
      );
    }
  }

  /**
   * Stops reading (each partition finishes and acks its batch), gives the partitions back so the
   * other workers take them at once, and records the import's tally.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.rounding;
    for (const run of this.running.values()) run.stop();
    await Promise.all([...this.running.values()].map((run) => run.done));
    this.running.clear();
    await this.leases.leave();
    const { stored, repeats, conflicts, rejected } = this.counts;
    await this.options.store.finishImport(this.importId, {
      lines: stored + repeats + conflicts + rejected,
      accepted: stored + repeats + conflicts,
      rejected,
      distinct: stored,
      status: 'complete',
    });
  }
}
