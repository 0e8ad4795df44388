// A batch with rows SQLite refuses: only those rows are rejected (into rejected_lines, with the
// field and SQLite's reason), the rest of the batch is stored, and later batches are unaffected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chat } from '../../test-support/interactions.js';
import { temporaryDirectory } from '../../test-support/paths.js';
import { toInteractionRow } from '../../ingest/index.js';
import { SqliteStore } from './sqlite-store.js';

test('a refused row is split out of its batch: the others are stored, it is kept in rejected_lines', async () => {
  const store = SqliteStore.open(join(temporaryDirectory(), 'store.db'));
  try {
    const importId = await store.beginImport('interactions', {
      kind: 'gateway',
      path: null,
      size: null,
      modifiedMs: null,
    });
    const rows = Array.from({ length: 10 }, (_, index) => {
      const record = chat({
        account: `acct-${index}`,
        ts: Date.UTC(2026, 1, 2) + index,
        text: `question ${index}`,
      });
      return toInteractionRow(record, index + 1, 0, 0, JSON.stringify(record));
    });
    rows[3] = { ...rows[3], tsMs: Number.NaN }; // a leap second that got past the edge: bound as NULL
    rows[7] = { ...rows[7], accountId: null as unknown as string };
    const flags = await store.writeInteractions(importId, rows);
    assert.deepEqual([...flags], [1, 1, 1, 2, 1, 1, 1, 2, 1, 1]);
    assert.equal(store.connection.prepare('SELECT count(*) FROM interactions').pluck().get(), 8);
    const rejected = store.connection
      .prepare('SELECT line, field, reason, text FROM rejected_lines ORDER BY line')
      .all() as { line: number; field: string; reason: string; text: string }[];
    assert.deepEqual(
      rejected.map((row) => [row.line, row.field]),
      [
        [4, 'ts'],
        [8, 'account_id'],
      ],
    );
    assert.match(rejected[0].reason, /NOT NULL constraint failed: interactions\.ts_ms/);
    assert.equal(rejected[0].text, rows[3].raw);
    const later = chat({ account: 'acct-later', ts: Date.UTC(2026, 1, 3), text: 'after' });
    assert.deepEqual(
      [
        ...(await store.writeInteractions(importId, [
          toInteractionRow(later, 11, 0, 0, JSON.stringify(later)),
        ])),
      ],
      [1],
      'the next batch is stored as usual',
    );
  } finally {
    await store.close();
  }
});
