// A poisoned stored row (H3): another connection writes a row whose raw is not JSON into the
// interactions table of a running gateway. The detector skips it once and records it (log, metric,
// admin health), moves on to the rows after it, and POST /v1/admin/assess answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { call, chatThrough, startDetectorServe, until } from './support/detector.js';

test(
  'a poisoned stored row is skipped once and recorded; the detector moves on and /v1/admin/assess answers',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-poison-'));
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    const db = join(folder, 'gateway.db');
    const gateway = await startDetectorServe(['--upstream', upstream.url, '--db', db]);
    try {
      await until(
        'the warm start',
        async () =>
          (await call(gateway.url, 'GET', '/health/ready', undefined, null)).status === 200,
      );
      const key = await call(gateway.url, 'POST', '/v1/admin/keys', { account_id: 'acct-1' });
      for (const text of ['one', 'two'])
        assert.equal(await chatThrough(gateway.url, key.body.secret, text), 200);
      assert.equal((await call(gateway.url, 'POST', '/v1/admin/assess')).body.interactions, 2);

      const other = new Database(db);
      other.pragma('busy_timeout = 10000');
      other
        .prepare(
          `INSERT INTO interactions (id, ts_ms, account_id, api, model, import_id, source_id, line, byte_offset, byte_length, raw)
                   SELECT 'poisoned-row', ts_ms, account_id, api, model, import_id, source_id, 0, 0, 0, 'X{"this is": not json' FROM interactions LIMIT 1`,
        )
        .run();
      other.close();
      assert.equal(
        await chatThrough(gateway.url, key.body.secret, 'three, after the poisoned row'),
        200,
      );

      const assessed = await call(gateway.url, 'POST', '/v1/admin/assess');
      assert.equal(assessed.status, 200, JSON.stringify(assessed.body));
      assert.equal(
        assessed.body.interactions,
        3,
        'the rows on both sides of the poisoned one are folded in',
      );
      const detail = await until('the skip to be reported', async () => {
        const health = await call(gateway.url, 'GET', '/v1/admin/health');
        return health.body.detector?.skippedRows === 1 ? health : null;
      });
      assert.equal(detail.body.detector.failing, null, 'no page is failing (nothing is retried)');
      const metrics = await call(gateway.url, 'GET', '/metrics'); // metrics on the public port need the read scope
      assert.match(String(metrics.body.text), /distillguard_detector_rows_skipped_total 1/);
      // skipped once: not retried at later polls
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(
        gateway.output().match(/skipped stored interaction/g)?.length,
        1,
        gateway.output(),
      );
      assert.doesNotMatch(gateway.output(), /live detection failed/);
      assert.doesNotMatch(
        gateway.output(),
        /this is/,
        'the stored text is not logged (its length is)',
      );
      assert.match(gateway.output(), /not valid JSON \(\d+ characters\)/);
      assert.equal(await chatThrough(gateway.url, key.body.secret, 'four'), 200);
      assert.equal((await call(gateway.url, 'POST', '/v1/admin/assess')).body.interactions, 4);
      assert.equal((await call(gateway.url, 'GET', '/health', undefined, null)).body.status, 'ok');
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
