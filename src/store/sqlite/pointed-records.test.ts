// Interactions imported from files are kept as pointers with a hash of each line: a file changed
// after its import is refused row by row with the reason, never read as other records, and a
// gzip source read back in order is decompressed once, not once per row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DistillGuardError } from '../../core/index.js';
import { ingest, openInput } from '../../ingest/index.js';
import { temporaryDirectory } from '../../test-support/paths.js';
import { SqliteStore } from './sqlite-store.js';
import { SqliteStoreReader } from './store-reader.js';

const line = (id: string, text = `question ${id}`) =>
  JSON.stringify({
    id,
    ts: '2026-02-02T10:00:00Z',
    account_id: `acct-${id}`,
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: text }] },
  });

async function readAll(
  reader: SqliteStoreReader,
  pageSize: number,
): Promise<{ ids: string[]; skipped: { seq: number; reason: string }[] }> {
  const ids: string[] = [];
  const skipped: { seq: number; reason: string }[] = [];
  let through = 0;
  for (;;) {
    const page = await reader.interactionsAfter(
      through,
      pageSize,
      undefined,
      (seq, _path, reason) => skipped.push({ seq, reason }),
    );
    if (page.through === through) return { ids, skipped };
    through = page.through;
    for (const stored of page.interactions) ids.push((JSON.parse(stored.raw) as { id: string }).id);
  }
}

test('a file rewritten after its import is refused for the rows it changed, with the reason', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'log.jsonl');
  writeFileSync(path, `${['a', 'b', 'c'].map((id) => line(id)).join('\n')}\n`);
  const store = SqliteStore.open(join(folder, 'store.db'));
  await ingest('interactions', await openInput(path), store);
  // same lengths, other content at b's place: without a check this is read as b
  writeFileSync(path, `${[line('a'), line('x'), line('c')].join('\n')}\n`);
  appendFileSync(path, `${line('d')}\n`);
  const reader = SqliteStoreReader.open(join(folder, 'store.db'));
  try {
    const { ids, skipped } = await readAll(reader, 2);
    assert.deepEqual(ids, ['a', 'c'], 'the unchanged rows are read; nothing is read in place of b');
    assert.equal(skipped.length, 1);
    assert.match(skipped[0].reason, /has changed since it was imported/);
    await assert.rejects(
      reader.interactionsAfter(0, 10),
      (error: unknown) =>
        error instanceof DistillGuardError &&
        /points into '.*log\.jsonl', which has changed since it was imported/.test(error.message),
    );
    assert.equal(await store.readRawInteraction('b'), null);
    assert.equal(await store.readRawInteraction('c'), line('c'));
    writeFileSync(path, line('a'));
    assert.match(
      (await readAll(reader, 10)).skipped.map((row) => row.reason).join(),
      /is shorter than when it was imported/,
      'a truncated file',
    );
  } finally {
    reader.close();
    await store.close();
  }
});

test('reading back N gzip rows in order decompresses the file once', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'log.jsonl.gz');
  const ids = Array.from({ length: 3000 }, (_, index) => `g${index}`);
  // long enough lines that the file spans many decompressor chunks
  writeFileSync(
    path,
    gzipSync(`${ids.map((id) => line(id, `question ${id} ${'filler '.repeat(40)}`)).join('\n')}\n`),
  );
  const store = SqliteStore.open(join(folder, 'store.db'));
  await ingest('interactions', await openInput(path), store);
  const reader = SqliteStoreReader.open(join(folder, 'store.db'));
  try {
    const { ids: read, skipped } = await readAll(reader, 250);
    assert.deepEqual(read, ids);
    assert.deepEqual(skipped, []);
    assert.equal(reader.gzipPasses, 1, 'one decompressor pass for the whole read, across 12 pages');
    await readAll(reader, 1000);
    assert.equal(reader.gzipPasses, 2, 'a second read in order is one more pass');
  } finally {
    reader.close();
    await store.close();
  }
});
