// One partition of `interactions` per UTC day, made before the first row of that day is written and
// dropped whole by retention. Partitions are made under the schema's advisory lock, so writers in
// several processes that meet a new day at once make it once.
import type { PgDatabase } from './pg-database.js';
import { schemaLockKey } from './pg-migrations.js';

export const dayMs = 86_400_000;

/** The partition holding `tsMs`: interactions_dYYYYMMDD. */
export function partitionName(dayStartMs: number): string {
  return `interactions_d${new Date(dayStartMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export function dayOf(tsMs: number): number {
  return Math.floor(tsMs / dayMs) * dayMs;
}

export class DayPartitions {
  private readonly database: PgDatabase;
  /** Days known to have a partition (read at start, then kept up). */
  private readonly known = new Set<number>();

  constructor(database: PgDatabase) {
    this.database = database;
  }

  /** Reads which days have a partition. */
  async load(): Promise<void> {
    this.known.clear();
    for (const day of await this.list()) this.known.add(day);
  }

  /** The first ms of every day that has a partition, oldest first. */
  async list(): Promise<number[]> {
    const rows = await this.database.rows<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
       WHERE p.relname = 'interactions' AND n.nspname = current_schema()`,
    );
    return rows
      .map((row) => /^interactions_d(\d{4})(\d{2})(\d{2})$/.exec(row.name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
      .sort((a, b) => a - b);
  }

  /** Makes the partitions of the days of `times` that have none. */
  async ensure(times: Iterable<number>): Promise<void> {
    const missing = new Set<number>();
    for (const tsMs of times) {
      const day = dayOf(tsMs);
      if (!this.known.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    await this.database.atomically('write', async () => {
      await this.database.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [
        schemaLockKey,
      ]);
      for (const day of missing)
        await this.database.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF interactions
             FOR VALUES FROM (${day}) TO (${day + dayMs})`,
        );
    });
    for (const day of missing) this.known.add(day);
  }

  /** Drops the partitions whose whole day lies before `beforeMs`; returns the rows they held. */
  async dropBefore(beforeMs: number): Promise<number> {
    let rows = 0;
    for (const day of await this.list()) {
      if (day + dayMs > beforeMs) break;
      const name = partitionName(day);
      rows += await this.database.atomically('write', async () => {
        await this.database.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [
          schemaLockKey,
        ]);
        const count = await this.database.row<{ count: number }>(
          `SELECT count(*) AS count FROM ${name}`,
        );
        await this.database.query(`DROP TABLE IF EXISTS ${name}`);
        return count?.count ?? 0;
      });
      this.known.delete(day);
    }
    return rows;
  }
}
