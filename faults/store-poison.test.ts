// H1: a schema-valid record whose `ts` cannot be stored (a leap second) is rejected at the edge,
// with its line, field and reason, and kept in rejected_lines; the good records around it are
// stored, and the gateway goes on storing afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { temporaryDirectory } from '../src/test-support/paths.js';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { runCli } from '../src/test-support/run-cli.js';
import {
  adminToken,
  interactionLine,
  postIngest,
  startStoreServe,
  waitFor,
} from './support/store.js';

const leapSecond = '2016-12-31T23:59:60Z';

function storedIds(db: string): string[] {
  const database = new Database(db, { readonly: true });
  try {
    return database.prepare('SELECT id FROM interactions ORDER BY seq').pluck().all() as string[];
  } finally {
    database.close();
  }
}

function rejectedLines(db: string): { field: string; reason: string; text: string }[] {
  const database = new Database(db, { readonly: true });
  try {
    return database
      .prepare('SELECT field, reason, text FROM rejected_lines ORDER BY import_id, line')
      .all() as { field: string; reason: string; text: string }[];
  } finally {
    database.close();
  }
}

test(
  'sidecar: a leap-second record is rejected with its line and field; the rest, and everything after, is stored',
  { timeout: 90_000 },
  async () => {
    const folder = temporaryDirectory('dg-store-poison-');
    const db = join(folder, 'gateway.db');
    const upstream = await startFakeUpstream({ reply: 'ok' });
    const serve = await startStoreServe(['--upstream', upstream.url, '--db', db]);
    try {
      const posted = await postIngest(serve.url, [
        interactionLine('good-1'),
        interactionLine('poison', leapSecond),
        interactionLine('good-2'),
      ]);
      assert.equal(posted.status, 200);
      assert.equal(posted.body.accepted, 2);
      assert.equal(posted.body.rejected.length, 1);
      assert.deepEqual([posted.body.rejected[0].line, posted.body.rejected[0].field], [2, 'ts']);
      assert.match(posted.body.rejected[0].reason, /leap second/);
      // the gateway keeps storing: sidecar records and proxied exchanges alike
      assert.equal((await postIngest(serve.url, [interactionLine('good-3')])).body.accepted, 1);
      const created = await fetch(`${serve.url}/v1/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: 'acct-proxy' }),
      });
      const { secret } = (await created.json()) as { secret: string };
      for (let index = 0; index < 5; index += 1) {
        const answer = await fetch(`${serve.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}` },
          body: JSON.stringify({
            model: 'm',
            messages: [{ role: 'user', content: `after ${index}` }],
          }),
        });
        assert.equal(answer.status, 200);
      }
      assert.ok(
        await waitFor(() => storedIds(db).length === 8),
        `stored: ${storedIds(db).join(', ')}`,
      );
      const ids = storedIds(db);
      assert.deepEqual(ids.slice(0, 3), ['good-1', 'good-2', 'good-3']);
      assert.ok(!ids.includes('poison'));
      assert.ok(await waitFor(() => rejectedLines(db).length === 1));
      const [kept] = rejectedLines(db);
      assert.equal(kept.field, 'ts');
      assert.match(kept.reason, /line 2 of a POST \/v1\/ingest.*leap second/);
      assert.ok(kept.text.includes('"poison"'));
      assert.equal(await serve.stop('SIGTERM'), 0, serve.output());
      assert.doesNotMatch(serve.output(), /NOT NULL constraint/);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
      await upstream.close();
    }
  },
);

test(
  'CLI ingest: a leap-second line is rejected (line, field ts, reason) and the other lines are stored',
  { timeout: 60_000 },
  async () => {
    const folder = temporaryDirectory('dg-store-poison-cli-');
    const db = join(folder, 'store.db');
    const path = join(folder, 'log.jsonl');
    const ts = '2026-02-02T10:00:00Z';
    const lines = Array.from({ length: 11 }, (_, index) =>
      interactionLine(`line-${index + 1}`, index === 5 ? leapSecond : ts),
    );
    writeFileSync(path, `${lines.join('\n')}\n`);
    const result = await runCli(['ingest', '--interactions', path, '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /:6: field 'ts' is not a time DistillGuard can store/);
    assert.equal(storedIds(db).length, 10);
    const kept = rejectedLines(db);
    assert.equal(kept.length, 1);
    assert.equal(kept[0].field, 'ts');
    assert.ok(kept[0].text.includes('"line-6"'));
  },
);
