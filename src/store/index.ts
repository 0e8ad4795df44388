// Public face of store/: the persistence port and its embedded SQLite adapter.
export type * from './store.js';
export type * from './intel-store.js';
export type * from './taxii-store.js';
export type * from './designation-store.js';
export type * from './dashboard-store.js';
export { conflictingRecord, refusedRecord } from './store.js';
export { SqliteStore } from './sqlite/sqlite-store.js';
export type { WriterThread, WriterThreadHook } from './sqlite/writer-thread.js';
export { migrations } from './sqlite/migrations.js';
export { openDatabase } from './sqlite/open-database.js';
export { SqliteStoreReader, type StoredInteraction } from './sqlite/store-reader.js';
export {
  scheduleRetention,
  type RetentionPolicy,
  type RetentionSchedule,
} from './retention-schedule.js';
export { PgStore } from './postgres/pg-store.js';
export { openPgStore } from './postgres/open-pg-store.js';
export type { PgDatabase, PgOptions } from './postgres/pg-database.js';
export { openPostgresStorage, storageConfigSchema, type StorageConfig } from './storage-config.js';
