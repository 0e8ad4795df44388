// Which detector worker reads which partition of the bus: leases in PostgreSQL, on the database's
// clock. Each round a worker says it is alive, renews what it holds, and takes free or expired
// partitions up to its share (the partitions over the workers alive, rounded up); a worker over its
// share is told which to give back, once it has stopped reading them. A worker that stops renewing
// (killed, paused, cut off) loses its partitions when their leases expire, and the others take them.
import type { PgDatabase } from '../store/index.js';

export interface LeaseOptions {
  workerId: string;
  host: string;
  partitions: number;
  /** How long a lease lasts without renewal (ms); rounds run about three times in that span. */
  leaseMs: number;
}

/** What a round found: the partitions held (with the generation of each claim), and those over the share. */
export interface LeaseRound {
  held: Map<number, number>;
  /** Held partitions to stop reading and `release`, highest first. */
  excess: number[];
  workersAlive: number;
}

const now = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

export class PartitionLeases {
  private readonly database: PgDatabase;
  private readonly options: LeaseOptions;
  private started = false;

  constructor(database: PgDatabase, options: LeaseOptions) {
    this.database = database;
    this.options = options;
  }

  /** One round: alive, renew, share, claim. */
  async round(): Promise<LeaseRound> {
    const { workerId, leaseMs, partitions } = this.options;
    if (!this.started) {
      await this.database.query(
        `INSERT INTO partition_leases (partition) SELECT generate_series(0, $1::integer - 1)
         ON CONFLICT (partition) DO NOTHING`,
        [partitions],
      );
      this.started = true;
    }
    await this.database.query(
      `INSERT INTO workers (worker_id, host, started_ms, seen_ms) VALUES ($1, $2, ${now}, ${now})
       ON CONFLICT (worker_id) DO UPDATE SET seen_ms = excluded.seen_ms`,
      [workerId, this.options.host],
    );
    const alive =
      (
        await this.database.row<{ count: number }>(
          `SELECT count(*) AS count FROM workers WHERE seen_ms > ${now} - $1`,
          [leaseMs],
        )
      )?.count ?? 1;
    const held = new Map<number, number>();
    for (const row of await this.database.rows<{ partition: number; generation: number }>(
      `UPDATE partition_leases SET expires_ms = ${now} + $2
       WHERE owner = $1 AND expires_ms > ${now} AND partition < $3
       RETURNING partition, generation`,
      [workerId, leaseMs, partitions],
    ))
      held.set(row.partition, row.generation);
    const share = Math.ceil(partitions / Math.max(1, alive));
    if (held.size < share)
      for (const row of await this.database.rows<{ partition: number; generation: number }>(
        `UPDATE partition_leases SET owner = $1, generation = generation + 1, expires_ms = ${now} + $2
         WHERE partition IN (
           SELECT partition FROM partition_leases
           WHERE (owner IS NULL OR expires_ms <= ${now}) AND partition < $4
           ORDER BY partition LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING partition, generation`,
        [workerId, leaseMs, share - held.size, partitions],
      ))
        held.set(row.partition, row.generation);
    const excess = [...held.keys()].sort((a, b) => b - a).slice(0, Math.max(0, held.size - share));
    return { held, excess, workersAlive: alive };
  }

  /** Gives partitions back (after their reading stopped), for another worker to take at once. */
  async release(partitions: number[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.database.query(
      `UPDATE partition_leases SET owner = NULL, expires_ms = 0
       WHERE owner = $1 AND partition = ANY($2::integer[])`,
      [this.options.workerId, partitions],
    );
  }

  /** Whether the claim of `partition` with `generation` is still this worker's and unexpired. */
  async stillHeld(partition: number, generation: number): Promise<boolean> {
    return (
      (await this.database.row(
        `SELECT 1 FROM partition_leases
         WHERE partition = $1 AND owner = $2 AND generation = $3 AND expires_ms > ${now}`,
        [partition, this.options.workerId, generation],
      )) !== null
    );
  }

  /** A clean stop: every partition given back, and this worker no longer counted alive. */
  async leave(): Promise<void> {
    await this.database.query(
      'UPDATE partition_leases SET owner = NULL, expires_ms = 0 WHERE owner = $1',
      [this.options.workerId],
    );
    await this.database.query('DELETE FROM workers WHERE worker_id = $1', [this.options.workerId]);
  }
}
