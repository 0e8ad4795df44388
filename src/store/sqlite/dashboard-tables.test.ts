// The dashboard's traffic counts: requests per bucket from a time on, the same whether counted one
// index range per bucket (a week of hours) or grouped in one pass (a span too long for ranges), and
// both equal to counting the stored timestamps one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest, openInput } from '../../ingest/index.js';
import { temporaryDirectory } from '../../test-support/paths.js';
import { SqliteStore } from './sqlite-store.js';

const hourMs = 3_600_000;

const record = (id: number, tsMs: number) =>
  JSON.stringify({
    id: `r${id}`,
    ts: new Date(tsMs).toISOString(),
    account_id: `acct-${id % 7}`,
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: `question ${id}` }] },
    response: { status: 200, text: `answer ${id}` },
  });

/** What a reader would count: the timestamps at or after `fromMs`, by bucket, empty buckets left out. */
function counted(times: number[], fromMs: number, bucketMs: number) {
  const byBucket = new Map<number, number>();
  for (const ts of times.filter((ts) => ts >= fromMs)) {
    const bucket = Math.floor(ts / bucketMs) * bucketMs;
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + 1);
  }
  return [...byBucket]
    .sort((a, b) => a[0] - b[0])
    .map(([bucketMs, requests]) => ({ bucketMs, requests }));
}

test('traffic per hour counts every stored request at or after the start once, in its hour', async () => {
  const folder = temporaryDirectory();
  const start = Date.parse('2026-02-02T00:00:00Z');
  // three days of uneven traffic (quiet hours included), and a few requests years before
  let seed = 17;
  const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  const times = [
    ...Array.from({ length: 3_000 }, () => start + Math.floor(random() ** 2 * 3 * 24 * hourMs)),
    ...[0, 1, 2].map((index) => Date.parse('2020-06-01T10:00:00Z') + index * 1_000),
  ];
  const path = join(folder, 'log.jsonl');
  writeFileSync(path, `${times.map((ts, index) => record(index, ts)).join('\n')}\n`);
  const store = SqliteStore.open(join(folder, 'store.db'));
  try {
    await ingest('interactions', await openInput(path), store);
    // a start inside an hour: that hour counts only what comes after it
    const fromMs = start + 5 * hourMs + 1_234_567;
    const week = await store.dashboard.trafficSince(fromMs, hourMs);
    assert.deepEqual(week, counted(times, fromMs, hourMs));
    assert.ok(week.length > 40, `${week.length} hours with traffic`);
    // from the beginning: six years of hours, too many to count one range at a time
    assert.deepEqual(await store.dashboard.trafficSince(0, hourMs), counted(times, 0, hourMs));
    assert.deepEqual(await store.dashboard.trafficSince(start + 4 * 24 * hourMs, hourMs), []);
  } finally {
    await store.close();
  }
});

const readIndexNames = (store: SqliteStore): string[] =>
  store.connection
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('interactions_account_time', 'interactions_time') ORDER BY name",
    )
    .pluck()
    .all() as string[];

test('a bulk import into an empty store builds the read indexes at its end, and a store left without them by a crash gets them back when opened', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'log.jsonl');
  writeFileSync(
    path,
    `${Array.from({ length: 50 }, (_, index) => record(index, 1_770_000_000_000 + index * 60_000)).join('\n')}\n`,
  );
  const store = SqliteStore.open(join(folder, 'store.db'));
  try {
    await ingest('interactions', await openInput(path), store);
    assert.deepEqual(readIndexNames(store), ['interactions_account_time', 'interactions_time']);
    const plan = store.connection
      .prepare('EXPLAIN QUERY PLAN SELECT count(*) FROM interactions WHERE ts_ms >= ?')
      .all(0) as { detail: string }[];
    assert.match(plan.map((step) => step.detail).join(' '), /interactions_time/);
  } finally {
    await store.close();
  }

  const crashed = SqliteStore.open(join(folder, 'crashed.db'));
  await crashed.beginImport(
    'interactions',
    { kind: 'file', path, size: null, modifiedMs: null },
    { bulk: true },
  );
  // the import never finishes (the process died): the indexes are still missing on disk
  const missing = readIndexNames(crashed);
  await crashed.close();
  assert.deepEqual(missing, []);
  const reopened = SqliteStore.open(join(folder, 'crashed.db'));
  try {
    assert.deepEqual(readIndexNames(reopened), ['interactions_account_time', 'interactions_time']);
  } finally {
    await reopened.close();
  }
});
