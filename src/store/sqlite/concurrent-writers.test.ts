// The gateway writes keys and imports between its batches, all on the write thread: none of them
// may fail with "database is locked".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chat } from '../../test-support/interactions.js';
import { toInteractionRow } from '../../ingest/index.js';
import { SqliteStore } from './sqlite-store.js';

test('write-thread batches and main-thread writes interleave without SQLITE_BUSY', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-store-concurrent-'));
  const store = SqliteStore.open(join(folder, 'store.db'));
  try {
    const importId = await store.beginImport('interactions', {
      kind: 'gateway',
      path: null,
      size: null,
      modifiedMs: null,
    });
    const writes: Promise<unknown>[] = [];
    for (let batch = 0; batch < 200; batch += 1) {
      const rows = Array.from({ length: 20 }, (_, index) => {
        const record = chat({
          account: `acct-${index % 7}`,
          ts: Date.UTC(2026, 1, 2) + batch * 1000 + index,
          text: `question ${batch} ${index}`,
        });
        return toInteractionRow(record, 0, 0, 0, JSON.stringify(record));
      });
      writes.push(store.writeInteractions(importId, rows));
    }
    // while the write thread works through its queue, the main connection writes too, as key
    // creation does in a busy gateway
    const deadline = Date.now() + 60_000;
    let keys = 0;
    let settled = false;
    void Promise.allSettled(writes).then(() => (settled = true));
    while (!settled && Date.now() < deadline) {
      for (let key = 0; key < 20; key += 1, keys += 1) {
        await store.addApiKey({
          keyId: `k${keys}`,
          accountId: 'acct-1',
          secretHash: `h${keys}`,
          label: null,
          createdAt: new Date().toISOString(),
          revokedAt: null,
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await Promise.allSettled(writes);
    assert.deepEqual(
      results
        .filter((result) => result.status === 'rejected')
        .map((result) => String((result as PromiseRejectedResult).reason)),
      [],
    );
    assert.equal((await store.lastInteractionSeq()) > 0, true);
    assert.equal((await store.listApiKeys()).length, keys);
    assert.ok(keys > 0);
  } finally {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
