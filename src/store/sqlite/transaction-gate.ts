// One connection, asynchronous callers: while a transaction started by `atomically` or `snapshot`
// is open on the connection, every other call through the store waits at the gate until it
// commits, so no other request's read or write runs inside it (better-sqlite3's own transactions
// take synchronous work only). Calls made by the transaction's own work pass: they carry its
// token in their async context.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqliteDatabase } from './open-database.js';

interface OpenTransaction {
  token: symbol;
  done: Promise<void>;
}

export class TransactionGate {
  private readonly database: SqliteDatabase;
  private readonly context = new AsyncLocalStorage<symbol>();
  private open: OpenTransaction | null = null;

  constructor(database: SqliteDatabase) {
    this.database = database;
  }

  /**
   * True while a transaction of another caller is open on the connection. A call waits with
   * `while (gate.held()) await gate.released();` and runs its statements right after the check,
   * with no await between: the check and the statements happen in one turn, so no transaction can
   * open in between.
   */
  held(): boolean {
    return this.open !== null && this.context.getStore() !== this.open.token;
  }

  /** Resolves when the transaction open now commits or rolls back. */
  released(): Promise<void> {
    return this.open?.done ?? Promise.resolve();
  }

  /**
   * Runs `work` in one transaction: `immediate` takes the write lock at once (a change and its log
   * entry), `deferred` reads one consistent snapshot. Nested calls join the outer transaction.
   */
  async run<T>(mode: 'immediate' | 'deferred', work: () => Promise<T>): Promise<T> {
    if (this.open !== null && this.context.getStore() === this.open.token) return work();
    while (this.open !== null) await this.open.done;
    let finish = () => {};
    const open: OpenTransaction = {
      token: Symbol('transaction'),
      done: new Promise<void>((resolve) => (finish = resolve)),
    };
    this.open = open;
    try {
      this.database.prepare(mode === 'immediate' ? 'BEGIN IMMEDIATE' : 'BEGIN DEFERRED').run();
      let result: T;
      try {
        result = await this.context.run(open.token, work);
      } catch (error) {
        if (this.database.inTransaction) this.database.prepare('ROLLBACK').run();
        throw error;
      }
      try {
        this.database.prepare('COMMIT').run();
      } catch (error) {
        if (this.database.inTransaction) this.database.prepare('ROLLBACK').run();
        throw error;
      }
      return result;
    } finally {
      this.open = null;
      finish();
    }
  }
}
