// A locked store must not stall the gateway (review M5): while another process holds SQLite's
// write lock (as a concurrent `distillguard ingest` does), `POST /v1/admin/keys` waits for it, and
// model requests sent meanwhile are still answered at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { cliPath, temporaryDirectory } from '../src/test-support/paths.js';
import { runCli } from '../src/test-support/run-cli.js';

const adminToken = 'store2-admin-token-0123456789';
/** How long the other connection holds the write lock: well under the store's 10 s busy timeout. */
const lockHeldMs = 6_000;

test(
  'POST /v1/admin/keys on a locked store does not hold up model requests',
  { timeout: 90_000 },
  async () => {
    const folder = temporaryDirectory('dg-faults-locked-');
    const upstream = await startFakeUpstream({ reply: 'Answered while the store was locked.' });
    const db = join(folder, 'gateway.db');
    const created = await runCli([
      'keys',
      'create',
      '--account',
      'acct-model',
      '--db',
      db,
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { secret } = JSON.parse(created.stdout) as { secret: string };
    const server = spawn(
      process.execPath,
      [cliPath, 'serve', '--port', '0', '--upstream', upstream.url, '--db', db],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DISTILLGUARD_ADMIN_TOKEN: adminToken },
      },
    );
    let output = '';
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const locker = new Database(db);
    locker.pragma('busy_timeout = 10000');
    try {
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const found = /gateway listening on (http:\/\/\S+)/.exec(output);
          if (found) resolve(found[1]);
        });
        server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
      });
      const ask = () =>
        fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'm',
            messages: [{ role: 'user', content: 'Are you there?' }],
          }),
          signal: AbortSignal.timeout(30_000),
        });
      assert.equal((await ask()).status, 200, 'served before the lock');

      locker.exec('BEGIN IMMEDIATE');
      const lockedAt = Date.now();
      let adminSettledAt: number | null = null;
      const adminCall = fetch(`${url}/v1/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: 'acct-new' }),
        signal: AbortSignal.timeout(30_000),
      }).finally(() => (adminSettledAt = Date.now()));
      // let the admin call reach the store before the model request is sent
      await new Promise((resolve) => setTimeout(resolve, 500));
      const sentAt = Date.now();
      const answer = await ask();
      const answeredAt = Date.now();
      assert.equal(answer.status, 200);
      assert.equal(
        ((await answer.json()) as { choices: { message: { content: string } }[] }).choices[0]
          .message.content,
        'Answered while the store was locked.',
      );
      assert.equal(
        adminSettledAt,
        null,
        `the admin call still waits on the lock when the model request is answered (after ${answeredAt - sentAt} ms)`,
      );
      assert.ok(
        answeredAt - sentAt < lockHeldMs - 1_000,
        `the model request took ${answeredAt - sentAt} ms`,
      );

      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, lockedAt + lockHeldMs - Date.now())),
      );
      locker.exec('COMMIT');
      const admin = await adminCall;
      assert.equal(admin.status, 201, 'the key is created once the lock is released');
      const key = (await admin.json()) as { account_id: string; secret: string };
      assert.equal(key.account_id, 'acct-new');
    } finally {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
      server.removeAllListeners('exit');
      const stopped = new Promise((resolve) => server.on('exit', resolve));
      server.kill('SIGTERM');
      await stopped;
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
