// A start that fails after the store opens closes what it opened and exits with one message
// (review L6: the write thread and the detector child used to keep a failed `serve` alive).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistillGuardError } from '../core/index.js';
import { runCli } from '../test-support/run-cli.js';
import { StartupCleanup, startupError } from './startup-cleanup.js';

test('StartupCleanup closes newest first and goes on past a failing close', async () => {
  const closed: string[] = [];
  const cleanup = new StartupCleanup();
  cleanup.add(async () => closed.push('store'));
  cleanup.add(async () => {
    throw new Error('detector already gone');
  });
  cleanup.add(async () => closed.push('recorder'));
  await cleanup.run();
  assert.deepEqual(closed, ['recorder', 'store']);
  await cleanup.run();
  assert.deepEqual(closed, ['recorder', 'store'], 'each step runs once');
});

test('startupError: a store that refuses writes is store_failed and names the file', () => {
  const readonly = Object.assign(new Error('attempt to write a readonly database'), {
    code: 'SQLITE_READONLY',
  });
  const error = startupError(readonly, '/data/g.db');
  assert.equal(error.code, 'store_failed');
  assert.equal(error.exitCode, 4);
  assert.match(
    error.message,
    /store '\/data\/g\.db': attempt to write a readonly database\. Check the permissions/,
  );
  const usage = new DistillGuardError('usage', 'as it was');
  assert.equal(startupError(usage, 'x'), usage);
  assert.equal(startupError(new Error('boom'), 'x').code, 'internal');
});

test(
  'serve exits with one message when a step after the store fails (secret file missing, port taken)',
  { timeout: 60_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-startup-'));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as { port: number }).port;
    try {
      const db = join(folder, 'g.db');
      const started = Date.now();
      const missing = await runCli([
        'serve',
        '--port',
        '0',
        '--upstream',
        'http://127.0.0.1:9/v1',
        '--db',
        db,
        '--key-hash-secret-file',
        join(folder, 'nope'),
      ]);
      assert.equal(missing.code, 64, missing.stderr);
      assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
      assert.match(missing.stderr, /key-hashing secret file .* does not exist/);
      // the detector child has started by now: the process ends only if it was closed too
      const busy = await runCli([
        'serve',
        '--port',
        String(takenPort),
        '--upstream',
        'http://127.0.0.1:9/v1',
        '--db',
        db,
      ]);
      assert.equal(busy.code, 64, busy.stderr);
      assert.match(busy.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
      assert.ok(
        Date.now() - started < 30_000,
        `both exited within 30 s (took ${Date.now() - started} ms)`,
      );
    } finally {
      taken.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
