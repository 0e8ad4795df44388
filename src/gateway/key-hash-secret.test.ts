import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistillGuardError } from '../core/index.js';
import { SqliteStore } from '../store/index.js';
import { runCli } from '../test-support/run-cli.js';
import { ApiKeys } from './api-keys.js';
import { keyHashSecretVariable } from '../core/index.js';
import { createSecretFile, loadKeyHashSecret } from './key-hash-secret.js';

async function withEnvironment<T>(
  value: string | undefined,
  work: () => T | Promise<T>,
): Promise<T> {
  const before = process.env[keyHashSecretVariable];
  if (value === undefined) delete process.env[keyHashSecretVariable];
  else process.env[keyHashSecretVariable] = value;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env[keyHashSecretVariable];
    else process.env[keyHashSecretVariable] = before;
  }
}

const refusal = (pattern: RegExp) => (error: unknown) =>
  error instanceof DistillGuardError && error.code === 'usage' && pattern.test(error.message);

test('the environment value needs 16 characters, like the file', async () => {
  await withEnvironment('x', () =>
    assert.rejects(
      () => loadKeyHashSecret({ databasePath: ':memory:' }),
      refusal(/DISTILLGUARD_KEY_HASH_SECRET is shorter than 16/),
    ),
  );
  await withEnvironment('a-long-enough-secret-value', async () =>
    assert.equal(
      (await loadKeyHashSecret({ databasePath: ':memory:' })).toString(),
      'a-long-enough-secret-value',
    ),
  );
});

test('a changed secret stops the start (every key would fail); a lost file is not silently replaced while keys exist', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-key-secret-'));
  const databasePath = join(folder, 'g.db');
  const store = SqliteStore.open(databasePath);
  try {
    await withEnvironment(undefined, async () => {
      const first = await loadKeyHashSecret({ databasePath, store });
      const file = `${databasePath}.key-hash-secret`;
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const key = await new ApiKeys(store, first).create('acct-1');
      assert.deepEqual(
        await loadKeyHashSecret({ databasePath, store }),
        first,
        'the same secret next time',
      );
      // the probe of the review: an environment value that differs from the file
      await withEnvironment('another-secret-entirely-0123', () =>
        assert.rejects(
          () => loadKeyHashSecret({ databasePath, store }),
          refusal(/is not the one the API keys and admin tokens .* were made with/),
        ),
      );
      // a restore that lost the file
      rmSync(file);
      await assert.rejects(
        () => loadKeyHashSecret({ databasePath, store }),
        refusal(/secret file .* is missing, but .* holds 1 API keys/),
      );
      assert.equal(existsSync(file), false, 'no new secret was made');
      writeFileSync(file, first);
      chmodSync(file, 0o644);
      assert.ok(
        await new ApiKeys(store, await loadKeyHashSecret({ databasePath, store })).authenticate(
          key.secret,
        ),
        'the restored file works again',
      );
      assert.equal(statSync(file).mode & 0o777, 0o600, 'tightened again');
    });
  } finally {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test(
  'two commands creating the secret file at once agree on it (no EEXIST)',
  { timeout: 60_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-key-secret-race-'));
    try {
      for (let round = 0; round < 3; round += 1) {
        const db = join(folder, `race-${round}.db`);
        const results = await Promise.all([
          runCli(['keys', 'create', '--account', 'acct-a', '--db', db, '--json']),
          runCli(['tokens', 'create', '--scope', 'read', '--db', db, '--json']),
          runCli(['keys', 'list', '--db', db]),
        ]);
        for (const result of results) assert.equal(result.code, 0, result.stderr);
        const listed = await runCli(['keys', 'list', '--db', db]);
        assert.equal(listed.code, 0, listed.stderr);
        assert.ok(readFileSync(`${db}.key-hash-secret`, 'utf8').trim().length >= 16);
      }
      assert.deepEqual(
        readdirSync(folder).filter((name) => name.endsWith('.tmp')),
        [],
        'no temporary files left',
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test('creating the secret file when another process just made it keeps that one; a file another user owns is not chmodded', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-key-secret-file-'));
  try {
    const file = join(folder, 'g.db.key-hash-secret');
    writeFileSync(file, 'made-by-the-other-process-0123', { mode: 0o600 });
    assert.doesNotThrow(
      () => createSecretFile(file),
      'EEXIST means: read the file the other process made',
    );
    assert.equal(readFileSync(file, 'utf8'), 'made-by-the-other-process-0123');
    assert.deepEqual(readdirSync(folder), ['g.db.key-hash-secret']);
    if (process.getuid?.() === 0) {
      // as root, hand the file to another user: serve reads it and leaves its mode to its owner
      chmodSync(file, 0o640);
      chownSync(file, 1, 1);
      await withEnvironment(undefined, async () =>
        assert.equal(
          (await loadKeyHashSecret({ databasePath: join(folder, 'g.db') })).toString(),
          'made-by-the-other-process-0123',
        ),
      );
      assert.equal(statSync(file).mode & 0o777, 0o640);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
