// Opens (and creates) the SQLite file with the pragmas the store relies on, then applies pending migrations.
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { closeSync, existsSync, openSync } from 'node:fs';
import { DistillGuardError } from '../../core/index.js';
import { migrations, readIndexes } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** Opens `path` in WAL mode and migrates it to the latest schema version. */
/** `cacheMb`: SQLite's page cache per connection (default 64 MiB, for bulk imports). */
export function openDatabase(
  path: string,
  options: { migrate?: boolean; cacheMb?: number } = {},
): SqliteDatabase {
  if (path !== ':memory:' && !existsSync(dirname(path) || '.')) {
    throw new DistillGuardError(
      'store_failed',
      `cannot open database '${path}': folder '${dirname(path)}' does not exist. Create it or pass another --db.`,
    );
  }
  let database: SqliteDatabase;
  try {
    if (path !== ':memory:') createPrivately(path);
    database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 10000');
    database.pragma('foreign_keys = ON');
    database.pragma(`cache_size = -${Math.round((options.cacheMb ?? 64) * 1024)}`);
  } catch (error) {
    throw new DistillGuardError(
      'store_failed',
      `cannot open database '${path}': ${(error as Error).message}. Check --db.`,
      { cause: error },
    );
  }
  if (options.migrate !== false) {
    migrate(database);
    for (const statement of readIndexes) database.exec(statement);
  }
  return database;
}

/**
 * Creates `path` empty with mode 0600 when it does not exist yet: the store holds every prompt and
 * answer. SQLite then creates the -wal and -shm files with the database file's mode. An existing
 * file keeps the mode its operator gave it.
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    // another process created it first: it is theirs to have made private
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Applies every migration newer than the database's version, each in its own transaction. */
export function migrate(database: SqliteDatabase): number {
  database.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const current = (
    database
      .prepare('SELECT coalesce(max(version), 0) AS version FROM schema_migrations')
      .get() as { version: number }
  ).version;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new DistillGuardError(
      'store_failed',
      `database schema version ${current} is newer than this distillguard understands (${latest}). Upgrade distillguard.`,
    );
  }
  const record = database.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied = database.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    // IMMEDIATE takes the write lock first: two commands opening a new store at once (serve and
    // keys create) apply each migration once, the second finding it done
    database
      .transaction(() => {
        if (applied.get(migration.version) !== undefined) return;
        database.exec(migration.sql);
        record.run(migration.version, migration.name, new Date().toISOString());
      })
      .immediate();
  }
  return latest;
}
