// A rejected decision write (H2): a trigger in the store makes every INSERT into decisions fail.
// The running gateway keeps serving, /health says degraded with the reason, one line is logged
// for the episode, and once the trigger is dropped the waiting decision is stored and health is ok.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import {
  call,
  chatThrough,
  harvesterRecords,
  startDetectorServe,
  until,
} from './support/detector.js';

test(
  'a rejected decision write: the gateway keeps serving, /health is degraded with the reason, and recovers when the store takes decisions again',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-decisions-'));
    const upstream = await startFakeUpstream({ reply: 'Still served.' });
    const db = join(folder, 'gateway.db');
    const gateway = await startDetectorServe(['--upstream', upstream.url, '--db', db]);
    try {
      await until(
        'the warm start',
        async () =>
          (await call(gateway.url, 'GET', '/health/ready', undefined, null)).status === 200,
      );
      const other = new Database(db);
      other.pragma('busy_timeout = 10000');
      other.exec(
        "CREATE TRIGGER fail_decisions BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'injected decision write failure'); END;",
      );

      // detection flags an account, and the ladder's change of decision for it must be stored
      const ingested = await call(
        gateway.url,
        'POST',
        '/v1/ingest',
        harvesterRecords('harvester')
          .map((record) => JSON.stringify(record))
          .join('\n'),
      );
      assert.equal(ingested.body.accepted, 40);
      const assessed = await call(gateway.url, 'POST', '/v1/admin/assess');
      assert.equal(assessed.status, 200);
      assert.equal(
        assessed.body.accounts.find(
          (account: { account_id: string }) => account.account_id === 'harvester',
        )?.verdict,
        'extraction',
      );
      const decided = await call(gateway.url, 'POST', '/v1/decide', { account_id: 'harvester' });
      assert.equal(decided.body.action, 'block');

      const degraded = await until('health to say degraded', async () => {
        const health = await call(gateway.url, 'GET', '/health', undefined, null);
        return health.body.status === 'degraded' ? health : null;
      });
      assert.equal(degraded.status, 200, 'a degraded gateway still serves: liveness stays 200');
      assert.ok(
        degraded.body.reasons.some((reason: string) => /^decisions not stored since/.test(reason)),
        JSON.stringify(degraded.body),
      );
      const detail = await call(gateway.url, 'GET', '/v1/admin/health');
      assert.match(JSON.stringify(detail.body.reasons), /injected decision write failure/);
      assert.equal(detail.body.decisions.pending, 1);

      // still serving, for several retry rounds of the failing write
      const key = await call(gateway.url, 'POST', '/v1/admin/keys', { account_id: 'person' });
      for (let index = 0; index < 3; index += 1) {
        assert.equal(await chatThrough(gateway.url, key.body.secret, `hello ${index}`), 200);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      assert.equal(gateway.child.exitCode, null, 'the gateway process is alive');
      assert.equal(
        gateway.output().match(/storing decisions failed/g)?.length,
        1,
        'one log line for the episode',
      );

      other.exec('DROP TRIGGER fail_decisions');
      other.close();
      await until(
        'health to be ok again',
        async () =>
          (await call(gateway.url, 'GET', '/health', undefined, null)).body.status === 'ok',
      );
      const stored = await call(gateway.url, 'GET', '/v1/admin/decisions?account_id=harvester');
      assert.deepEqual(
        stored.body.data.map((row: { action: string }) => row.action),
        ['block'],
      );
      assert.match(gateway.output(), /decisions are stored again/);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
