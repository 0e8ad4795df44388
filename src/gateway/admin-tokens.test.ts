import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistillGuardError } from '../core/index.js';
import { SqliteStore } from '../store/index.js';
import { AdminTokens, parseAdminScopes } from './admin-tokens.js';
import { requireScope } from './authenticate.js';
import { ApiError } from './api-error.js';

test('parseAdminScopes: canonical order; an unknown scope is named with the nearest known one', () => {
  assert.deepEqual(parseAdminScopes('keys,read'), ['read', 'keys']);
  assert.deepEqual(parseAdminScopes('act read act'), ['read', 'act']);
  assert.throws(
    () => parseAdminScopes('read,kyes'),
    (error: unknown) =>
      error instanceof DistillGuardError &&
      /unknown scope 'kyes': did you mean 'keys'\?/.test(error.message),
  );
  assert.throws(() => parseAdminScopes(' , '), /no scope given/);
});

test('admin tokens: stored as keyed hashes, scoped, revocable; the bootstrap token holds every scope', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-admin-tokens-'));
  const store = SqliteStore.open(join(folder, 'g.db'));
  try {
    const tokens = new AdminTokens(
      store,
      Buffer.from('a-key-hashing-secret-for-tests'),
      'bootstrap-token-0123456789',
    );
    const reader = await tokens.create(['read'], 'dashboard');
    const operator = await tokens.create(['read', 'act', 'keys']);
    assert.match(reader.secret, /^dga-/);
    assert.deepEqual(await tokens.authenticate(reader.secret), {
      tokenId: reader.tokenId,
      scopes: ['read'],
    });
    assert.deepEqual((await tokens.authenticate(operator.secret))?.scopes, ['read', 'act', 'keys']);
    assert.deepEqual(await tokens.authenticate('bootstrap-token-0123456789'), {
      tokenId: 'bootstrap',
      scopes: ['read', 'act', 'keys'],
    });
    assert.equal(await tokens.authenticate('dga-made-up'), null);
    assert.equal((await tokens.list()).length, 2);
    assert.ok(!(await tokens.list()).some((row) => row.secretHash.includes(reader.secret)));
    await store.close().then(() => undefined);
    assert.ok(
      !readFileSync(join(folder, 'g.db')).includes(Buffer.from(reader.secret)),
      'the secret is not in the database',
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('requireScope: 401 without a live token, 403 naming the missing scope', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-admin-scope-'));
  const store = SqliteStore.open(join(folder, 'g.db'));
  try {
    const tokens = new AdminTokens(store, Buffer.from('a-key-hashing-secret-for-tests'));
    const reader = await tokens.create(['read']);
    const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
    await assert.doesNotReject(() => requireScope(bearer(reader.secret), tokens, 'read'));
    await assert.rejects(
      () => requireScope(bearer(reader.secret), tokens, 'keys'),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 403 &&
        error.code === 'insufficient_scope' &&
        /'keys' scope/.test(error.message),
    );
    await assert.rejects(
      () => requireScope({}, tokens, 'read'),
      (error: unknown) => error instanceof ApiError && error.status === 401,
    );
    assert.ok(await tokens.revoke(reader.tokenId));
    await assert.rejects(
      () => requireScope(bearer(reader.secret), tokens, 'read'),
      (error: unknown) => error instanceof ApiError && error.status === 401,
    );
    assert.equal(await tokens.revoke('tok_nope'), false);
  } finally {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
