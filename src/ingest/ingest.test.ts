import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { DistillGuardError } from '../core/index.js';
import { SqliteStore } from '../store/index.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { ingest, openInput, type Rejection } from './index.js';

function interactionLine(id: string, account: string, ts: string): string {
  return JSON.stringify({
    id,
    ts,
    account_id: account,
    api: 'openai.chat',
    model: 'orion-1',
    request: { messages: [{ role: 'user', content: `question ${id}` }] },
    response: { status: 200, usage: { input_tokens: 3, output_tokens: 9 } },
  });
}

const good = [
  interactionLine('r1', 'a1', '2026-02-02T10:00:00Z'),
  interactionLine('r2', 'a2', '2026-02-02T11:00:00+02:00'),
  interactionLine('r3', 'a1', '2026-02-03T08:00:00Z'),
];

test('bad lines are rejected with their number, field and reason; good ones are stored; nothing stops', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'mixed.jsonl');
  writeFileSync(
    path,
    [
      good[0],
      '{"id": "broken"',
      good[1],
      JSON.stringify({
        id: 'x',
        ts: 'yesterday',
        account_id: 'a',
        api: 'openai.chat',
        model: 'm',
        request: {},
      }),
      '',
      good[2],
      '[1,2]',
    ].join('\n') + '\n',
  );
  const store = SqliteStore.open(join(folder, 'store.db'));
  const rejections: Rejection[] = [];
  const result = await ingest('interactions', await openInput(path), store, {
    onRejected: (rejection) => rejections.push(rejection),
  });
  assert.equal(result.accepted, 3);
  assert.equal(result.rejected, 3);
  assert.equal(result.distinct, 3);
  assert.deepEqual(
    rejections.map((rejection) => [rejection.line, rejection.field]),
    [
      [2, ''],
      [4, 'ts'],
      [7, ''],
    ],
  );
  assert.match(rejections[0].reason, /not valid JSON/);
  assert.match(rejections[1].reason, /date-time/);
  assert.match(rejections[2].reason, /JSON object/);
  const summary = await store.summarizeInteractionImport(result.importId);
  assert.equal(summary.interactions, 3);
  assert.equal(summary.accounts, 2);
  assert.equal(summary.fromMs, Date.parse('2026-02-02T09:00:00Z'), 'time zones are honoured');
  assert.equal(summary.toMs, Date.parse('2026-02-03T08:00:00Z'));
  const kept = store.connection
    .prepare('SELECT line, text FROM rejected_lines ORDER BY line')
    .all() as { line: number; text: string }[];
  assert.deepEqual(
    kept.map((row) => row.line),
    [2, 4, 7],
  );
  assert.equal(kept[0].text, '{"id": "broken"');
  assert.equal(
    await store.readRawInteraction('r3'),
    good[2],
    'the raw record is read back through its pointer',
  );
  await store.close();
});

test('an id imported twice counts once, within one file and across imports', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'twice.jsonl');
  writeFileSync(path, [good[0], good[1], good[0], good[2], good[1]].join('\n'));
  const store = SqliteStore.open(join(folder, 'store.db'));
  const first = await ingest('interactions', await openInput(path), store);
  assert.equal(first.accepted, 5);
  assert.equal(first.distinct, 3);
  assert.equal((await store.summarizeInteractionImport(first.importId)).newRecords, 3);
  const second = await ingest('interactions', await openInput(path), store);
  assert.equal(second.distinct, 3, 'the second import still covers three records');
  const summary = await store.summarizeInteractionImport(second.importId);
  assert.equal(summary.interactions, 3);
  assert.equal(summary.newRecords, 0, 'but none of them is new to the store');
  assert.equal(store.connection.prepare('SELECT count(*) FROM interactions').pluck().get(), 3);
  await store.close();
});

test('gzip files and gzip on standard input are read the same as plain files', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'log.jsonl.gz');
  const compressed = gzipSync(good.join('\n') + '\n');
  writeFileSync(path, compressed);
  const store = SqliteStore.open(join(folder, 'store.db'));
  const fromFile = await ingest('interactions', await openInput(path), store);
  assert.equal(fromFile.distinct, 3);
  assert.equal(await store.readRawInteraction('r2'), good[1]);
  const fromStdin = await ingest(
    'interactions',
    await openInput('-', Readable.from([compressed.subarray(0, 10), compressed.subarray(10)])),
    store,
  );
  assert.equal(fromStdin.accepted, 3);
  await store.close();
});

test('--max-rejected stops the import with a clear error after the limit, keeping what was good', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'bad.jsonl');
  writeFileSync(path, [good[0], 'nope', 'nope', good[1], 'nope', good[2]].join('\n'));
  const store = SqliteStore.open(join(folder, 'store.db'));
  await assert.rejects(
    ingest('interactions', await openInput(path), store, { maxRejected: 2 }),
    (error: unknown) => {
      assert.ok(error instanceof DistillGuardError);
      assert.equal(error.code, 'too_many_rejected');
      assert.match(error.message, /--max-rejected 2/);
      return true;
    },
  );
  const status = store.connection.prepare('SELECT status FROM imports').pluck().get();
  assert.equal(status, 'stopped');
  await store.close();
});

test('a missing file or a folder gives one clear error before anything is read', async () => {
  await assert.rejects(openInput('/no/such/file.jsonl'), /no such file/);
  await assert.rejects(openInput(temporaryDirectory()), /is a directory/);
});

test('account records are upserted: the latest record for an id wins and counts once', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'accounts.jsonl');
  writeFileSync(
    path,
    [
      JSON.stringify({ account_id: 'a1', verification: 'email' }),
      JSON.stringify({ account_id: 'a2', country: 'DE' }),
      JSON.stringify({ account_id: 'a1', verification: 'card', payment_fingerprint: 'pm_1' }),
      JSON.stringify({ account_id: 'a3', country: 'Germany' }),
    ].join('\n'),
  );
  const store = SqliteStore.open(join(folder, 'store.db'));
  const rejections: Rejection[] = [];
  const result = await ingest('accounts', await openInput(path), store, {
    onRejected: (rejection) => rejections.push(rejection),
  });
  assert.equal(result.distinct, 2);
  assert.deepEqual(
    rejections.map((rejection) => [rejection.line, rejection.field]),
    [[4, 'country']],
  );
  const row = store.connection
    .prepare('SELECT verification, payment_fingerprint FROM accounts WHERE account_id = ?')
    .get('a1');
  assert.deepEqual(row, { verification: 'card', payment_fingerprint: 'pm_1' });
  await store.close();
});

test('a re-imported id with other content is rejected (field id), the stored record kept; the same content stays idempotent', async () => {
  const folder = temporaryDirectory();
  const first = join(folder, 'first.jsonl');
  writeFileSync(first, `${good.join('\n')}\n`);
  const store = SqliteStore.open(join(folder, 'store.db'));
  await ingest('interactions', await openInput(first), store);
  const again = await ingest('interactions', await openInput(first), store);
  assert.deepEqual(
    [again.accepted, again.rejected, again.distinct],
    [3, 0, 3],
    'the same records again: no rejection',
  );

  const changed = join(folder, 'changed.jsonl');
  const other = interactionLine('r2', 'a9', '2026-02-05T10:00:00Z');
  writeFileSync(changed, `${good[0]}\n${other}\n`);
  const rejections: Rejection[] = [];
  const result = await ingest('interactions', await openInput(changed), store, {
    onRejected: (rejection) => rejections.push(rejection),
  });
  assert.deepEqual([result.lines, result.accepted, result.rejected, result.distinct], [2, 1, 1, 1]);
  assert.deepEqual(
    rejections.map((rejection) => [rejection.line, rejection.field]),
    [[2, 'id']],
  );
  assert.match(rejections[0].reason, /conflicts with the stored record of this id/);
  const kept = store.connection
    .prepare('SELECT line, field, reason, text FROM rejected_lines WHERE import_id = ?')
    .all(result.importId) as { line: number; field: string; reason: string; text: string }[];
  assert.deepEqual(
    kept.map((row) => [row.line, row.field, row.text]),
    [[2, 'id', other]],
  );
  const tally = store.connection
    .prepare('SELECT accepted, rejected FROM imports WHERE id = ?')
    .get(result.importId);
  assert.deepEqual(tally, { accepted: 1, rejected: 1 }, 'counted in the import summary');
  assert.equal(await store.readRawInteraction('r2'), good[1], 'the stored record is kept');
  await store.close();
});
