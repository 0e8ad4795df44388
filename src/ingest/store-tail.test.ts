// The read-only tail of the store that the gateway's live detector runs in its own process: paging
// by sequence number beside an open writer, and records whose imported file is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DistillGuardError } from '../core/index.js';
import { SqliteStore, SqliteStoreReader } from '../store/index.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { ingest, openInput } from './index.js';

const line = (id: string) =>
  JSON.stringify({
    id,
    ts: '2026-02-02T10:00:00Z',
    account_id: `acct-${id}`,
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: `q ${id}` }] },
  });

test('a reader beside the writer pages through stored interactions in arrival order, and skips (and names) records whose file is gone', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'log.jsonl');
  const ids = ['a', 'b', 'c', 'd', 'e'];
  writeFileSync(path, `${ids.map(line).join('\n')}\n`);
  const store = SqliteStore.open(join(folder, 'store.db'));
  await ingest('interactions', await openInput(path), store);
  const reader = SqliteStoreReader.open(join(folder, 'store.db'));
  assert.equal(reader.lastInteractionSeq(), await store.lastInteractionSeq());

  const seen: string[] = [];
  let through = 0;
  let pages = 0;
  for (;;) {
    const page = await reader.interactionsAfter(through, 2);
    if (page.through === through) break;
    through = page.through;
    pages += 1;
    for (const stored of page.interactions)
      seen.push((JSON.parse(stored.raw) as { id: string }).id);
  }
  assert.deepEqual(seen, ids, 'every record once, in arrival order');
  assert.equal(pages, 3);
  assert.equal(through, reader.lastInteractionSeq());
  assert.deepEqual(
    (await reader.interactionsAfter(0, 10, 2)).interactions.length,
    2,
    'upTo bounds the sequence number',
  );

  rmSync(path);
  const skipped: number[] = [];
  const page = await reader.interactionsAfter(0, 10, undefined, (seq) => skipped.push(seq));
  assert.equal(page.interactions.length, 0);
  assert.equal(skipped.length, 5, 'each unreadable record is named');
  assert.equal(page.through, reader.lastInteractionSeq(), 'and the tail moves past them');
  await assert.rejects(
    reader.interactionsAfter(0, 10),
    (error: unknown) =>
      error instanceof DistillGuardError && /can no longer be read/.test(error.message),
  );
  reader.close();
  await store.close();
});
