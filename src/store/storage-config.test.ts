import assert from 'node:assert/strict';
import test from 'node:test';
import { DistillGuardError } from '../core/index.js';
import {
  freePort,
  engineOrSkip,
  startPostgresCommand,
  testPostgresUrl,
} from '../test-support/engines.js';
import { dropSchema, testSchema } from '../test-support/stores.js';
import { openPostgresStorage, storageConfigSchema } from './storage-config.js';

const problems = (value: unknown) => {
  const parsed = storageConfigSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

test('storage config: SQLite by default; PostgreSQL needs a URL without a password', () => {
  assert.deepEqual(storageConfigSchema.parse({}), {
    kind: 'sqlite',
    schema: 'distillguard',
    pool_size: 8,
  });
  assert.match(problems({ kind: 'postgres' }).join(), /needs storage\.url/);
  assert.match(
    problems({ kind: 'postgres', url: 'postgres://dg:hunter2@db:5432/dg' }).join(),
    /holds a password: .*password_env/,
  );
  assert.match(
    problems({ kind: 'postgres', url: 'mysql://db/dg' }).join(),
    /must start with postgres:\/\//,
  );
  assert.match(problems({ url: 'postgres://db/dg' }).join(), /storage\.kind is "sqlite"/);
  assert.match(
    problems({ kind: 'postgres', url: 'postgres://db/dg', schema: 'Drop Table' }).join(),
    /plain PostgreSQL name/,
  );
});

test('storage config: a PostgreSQL that does not answer stops the start, naming the URL without its secrets', async () => {
  const port = await freePort();
  const config = storageConfigSchema.parse({
    kind: 'postgres',
    url: `postgres://dg@127.0.0.1:${port}/dg?sslpassword=hidden`,
  });
  await assert.rejects(
    openPostgresStorage(config),
    (error: unknown) =>
      error instanceof DistillGuardError &&
      error.code === 'engine_unavailable' &&
      error.message.includes(`127.0.0.1:${port}`) &&
      !error.message.includes('hidden') &&
      !error.message.includes('dg@'),
  );
  const unset = storageConfigSchema.parse({
    kind: 'postgres',
    url: `postgres://dg@127.0.0.1:${port}/dg`,
    password_env: 'DISTILLGUARD_TEST_UNSET_PASSWORD',
  });
  await assert.rejects(
    openPostgresStorage(unset),
    (error: unknown) =>
      error instanceof DistillGuardError &&
      error.code === 'usage' &&
      /DISTILLGUARD_TEST_UNSET_PASSWORD, which is not set/.test(error.message),
  );
});

test('storage config: PostgreSQL opens, makes its schema and tables, and a second process opening it changes nothing', async (t) => {
  if (!(await engineOrSkip(t, testPostgresUrl, 'PostgreSQL', startPostgresCommand))) return;
  const schema = testSchema();
  const config = storageConfigSchema.parse({ kind: 'postgres', url: testPostgresUrl, schema });
  try {
    // two processes starting at once: the migrations run once, under the schema's lock
    const [one, two] = await Promise.all([
      openPostgresStorage(config),
      openPostgresStorage(config),
    ]);
    try {
      const applied = await one.database.rows<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      assert.deepEqual(
        applied.map((row) => row.version),
        [1, 2],
      );
      await one.addApiKey({
        keyId: 'k',
        accountId: 'a',
        secretHash: 'h',
        label: null,
        createdAt: '2026-12-07T00:00:00.000Z',
        revokedAt: null,
      });
      assert.equal((await two.findApiKey('h'))?.accountId, 'a', 'both see one store');
    } finally {
      await one.close();
      await two.close();
    }
  } finally {
    await dropSchema(testPostgresUrl, schema);
  }
});
