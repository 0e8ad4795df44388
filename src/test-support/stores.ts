// The store's contract tests run against both adapters: an SQLite file in a temporary folder, and
// a schema of its own in the machine's PostgreSQL (DISTILLGUARD_TEST_POSTGRES_URL), dropped after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { openPgStore, SqliteStore, type PgStore, type Store } from '../store/index.js';
import { engineOrSkip, startPostgresCommand, testPostgresUrl } from './engines.js';

export type StoreKind = 'sqlite' | 'postgres';
export const storeKinds: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface TestStore {
  kind: StoreKind;
  store: Store;
  /** Opens the same store again (a second process, or a restart). */
  reopen(): Promise<Store>;
  /** Closes every store opened here and removes the file or schema. */
  close(): Promise<void>;
}

/** A fresh PostgreSQL schema name for one test. */
export function testSchema(): string {
  return `dg_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Opens an empty store of `kind`; null when PostgreSQL does not answer and the test was skipped
 * (under CI it fails instead).
 */
export async function openTestStore(
  context: TestContext,
  kind: StoreKind,
): Promise<TestStore | null> {
  const opened: Store[] = [];
  if (kind === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'dg-contract-'));
    const path = join(folder, 'store.db');
    const store = SqliteStore.open(path);
    opened.push(store);
    return {
      kind,
      store,
      reopen: async () => {
        const again = SqliteStore.open(path);
        opened.push(again);
        return again;
      },
      close: async () => {
        for (const each of opened) await each.close().catch(() => undefined);
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  if (!(await engineOrSkip(context, testPostgresUrl, 'PostgreSQL', startPostgresCommand)))
    return null;
  const schema = testSchema();
  const open = async (): Promise<PgStore> => {
    const store = await openPgStore({ url: testPostgresUrl, schema, poolSize: 4 });
    opened.push(store);
    return store;
  };
  const store = await open();
  return {
    kind,
    store,
    reopen: open,
    close: async () => {
      for (const each of opened) await each.close().catch(() => undefined);
      await dropSchema(testPostgresUrl, schema);
    },
  };
}
