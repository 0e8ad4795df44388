// A PostgreSQL connection pool in one schema, and the transactions of the store's port: `atomically`
// checks one client out of the pool, and every query made by the transaction's work (found through
// its async context) runs on that client; every other query takes any client of the pool.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { DistillGuardError, withoutCredentials } from '../../core/index.js';

export type QueryValue = string | number | bigint | boolean | Buffer | null | QueryValue[];

export interface PgOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** The schema the store's tables live in (made when missing). */
  schema: string;
  /** Connections in the pool (default 8). */
  poolSize?: number;
  /** How long a start waits for the server before it gives up (default 5000 ms). */
  connectTimeoutMs?: number;
  /** The environment variable holding the password, when the URL has none. */
  password?: string;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

// int8 (bigint) columns come back as numbers: every count and time here is far below 2^53
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (text) => Number(text));

export class PgDatabase {
  readonly schema: string;
  readonly url: string;
  private readonly pool: pg.Pool;
  private readonly transaction = new AsyncLocalStorage<pg.PoolClient>();

  private constructor(pool: pg.Pool, schema: string, url: string) {
    this.pool = pool;
    this.schema = schema;
    this.url = url;
  }

  /**
   * Connects, and makes the schema when missing.
   * @throws DistillGuardError('engine_unavailable') naming the URL (without its password) when the server does not answer
   */
  static async connect(options: PgOptions): Promise<PgDatabase> {
    if (!identifier.test(options.schema))
      throw new DistillGuardError(
        'usage',
        `storage.schema '${options.schema}' is not a plain PostgreSQL name: use lower-case letters, digits and _ (at most 63).`,
      );
    const shown = withoutCredentials(options.url);
    const pool = new pg.Pool({
      connectionString: options.url,
      ...(options.password !== undefined ? { password: options.password } : {}),
      max: options.poolSize ?? 8,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      options: `-c search_path=${options.schema}`,
      application_name: 'distillguard',
    });
    // an idle client that loses its server is dropped from the pool; the next query gets a new one
    pool.on('error', () => undefined);
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).catch((error: unknown) => {
        // two processes making the schema at once: one of them meets the other's row
        if ((error as { code?: string }).code !== '23505') throw error;
      });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new DistillGuardError(
        'engine_unavailable',
        `PostgreSQL at ${shown} did not answer (${(error as Error).message}). Start it, or fix storage.url in the config.`,
      );
    }
    return new PgDatabase(pool, options.schema, shown);
  }

  /** Runs one statement, on the transaction's client when called from inside `atomically`. */
  async query<Row extends object = Record<string, unknown>>(
    text: string,
    values: readonly QueryValue[] = [],
  ): Promise<pg.QueryResult<Row>> {
    const client = this.transaction.getStore();
    return (client ?? this.pool).query<Row>(text, values as QueryValue[]);
  }

  /** The rows of one statement. */
  async rows<Row extends object>(text: string, values: readonly QueryValue[] = []): Promise<Row[]> {
    return (await this.query<Row>(text, values)).rows;
  }

  /** The first row of one statement, or null. */
  async row<Row extends object>(
    text: string,
    values: readonly QueryValue[] = [],
  ): Promise<Row | null> {
    return (await this.query<Row>(text, values)).rows[0] ?? null;
  }

  /**
   * Runs `work` in one transaction on one client: `write` is READ COMMITTED (each change takes its
   * own row or advisory locks), `snapshot` is REPEATABLE READ, READ ONLY. A call from inside a
   * transaction joins it.
   */
  async atomically<T>(mode: 'write' | 'snapshot', work: () => Promise<T>): Promise<T> {
    if (this.transaction.getStore()) return work();
    const client = await this.pool.connect();
    let healthy = true;
    try {
      await client.query(
        mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
    } catch (error) {
      client.release(true);
      throw error;
    }
    try {
      const result = await this.transaction.run(client, work);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // after a failed COMMIT the server has ended the transaction; ROLLBACK then only warns
      await client.query('ROLLBACK').catch(() => (healthy = false));
      throw error;
    } finally {
      client.release(!healthy);
    }
  }

  /** True when called from inside `atomically`. */
  get inTransaction(): boolean {
    return this.transaction.getStore() !== undefined;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
