// How the store commands find their store: the SQLite file of --db (the default), or the store the
// `storage` block of --config names (the gateway config serve reads, read and checked the same
// way). PostgreSQL is connected and migrated at once, so one that does not answer stops the
// command at its start (engine_unavailable, exit 69, the URL without credentials).
import { DistillGuardError, withoutCredentials } from '../core/index.js';
import { readGatewayConfig } from '../gateway/index.js';
import {
  openPostgresStorage,
  SqliteStore,
  type StorageConfig,
  type Store,
} from '../store/index.js';
import { defaultDatabasePath } from './options.js';

export interface StoreOptions {
  db: string;
  /** The gateway config whose `storage` block names the store. */
  config?: string;
}

export const storeConfigDescription =
  'config file whose `storage` block names the store (default: the SQLite file of --db)';

export type StoreLocation =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; storage: StorageConfig; name: string };

/**
 * Where the options put the store. With --config naming PostgreSQL, a --db other than the default
 * is refused: the user means one of the two.
 * @throws DistillGuardError the config loader's own, for a missing or invalid file; ('usage') for both stores named
 */
export function storeLocation(options: StoreOptions): StoreLocation {
  if (options.config === undefined) return { kind: 'sqlite', path: options.db };
  const { storage } = readGatewayConfig(options.config);
  if (storage.kind !== 'postgres') return { kind: 'sqlite', path: options.db };
  const name = `PostgreSQL at ${withoutCredentials(storage.url ?? '')} (schema ${storage.schema})`;
  if (options.db !== defaultDatabasePath)
    throw new DistillGuardError(
      'usage',
      `--config ${options.config} names the store ${name}, and --db names the SQLite file '${options.db}': give one of them (leave out --db to use PostgreSQL, or use a config without storage.kind "postgres" to use the file).`,
    );
  return { kind: 'postgres', storage, name };
}

/** How messages name the store: the SQLite file as given, or PostgreSQL's URL (no credentials) and schema. */
export function storeName(options: StoreOptions): string {
  const location = storeLocation(options);
  return location.kind === 'sqlite' ? location.path : location.name;
}

/**
 * Opens the store the options name: PostgreSQL when --config's `storage.kind` is "postgres", else
 * the SQLite file of --db.
 * @throws DistillGuardError('engine_unavailable') when the configured PostgreSQL does not answer
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  return openStoreAt(storeLocation(options));
}

/** Opens the store at a location `storeLocation` gave (for a command that looks at it first). */
export async function openStoreAt(location: StoreLocation): Promise<Store> {
  return location.kind === 'postgres'
    ? openPostgresStorage(location.storage)
    : SqliteStore.open(location.path);
}

/**
 * The SQLite file for a command that needs SQLite itself (`why`); a config naming PostgreSQL is
 * refused with a usage error.
 */
export function sqliteStorePath(options: StoreOptions, command: string, why: string): string {
  const location = storeLocation(options);
  if (location.kind === 'postgres')
    throw new DistillGuardError(
      'usage',
      `${command} needs the SQLite file of --db (${why}), but --config ${options.config} names the store ${location.name}. Run it without that config's storage block, on the SQLite file.`,
    );
  return location.path;
}
