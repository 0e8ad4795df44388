// Retention in the store: text first (the raw record reduced to its metadata, rows and counts
// kept), whole rows later, in bounded batches; files imported as pointers and records kept whole alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { validateInteraction } from '../../core/index.js';
import { ingest, openInput } from '../../ingest/index.js';
import { temporaryDirectory } from '../../test-support/paths.js';
import { SqliteStore } from './sqlite-store.js';

const record = (id: string, ts: string) =>
  JSON.stringify({
    id,
    ts,
    account_id: `acct-${id}`,
    api: 'openai.chat',
    model: 'm',
    client: { ip: '10.0.0.1' },
    request: {
      messages: [{ role: 'user', content: `secret question ${id}` }],
      max_tokens: 64,
      temperature: 0.5,
    },
    response: {
      status: 200,
      text: `secret answer ${id}`,
      usage: { input_tokens: 5, output_tokens: 7 },
      latency_ms: 12,
    },
    decision: { action: 'observe', campaign_id: null },
  });

async function exported(store: SqliteStore): Promise<Record<string, any>[]> {
  const records: Record<string, any>[] = [];
  for await (const raw of store.exportInteractions())
    records.push(JSON.parse(raw) as Record<string, any>);
  return records;
}

test('prune strips the text of old exchanges, then deletes older ones, and keeps what is recent', async () => {
  const folder = temporaryDirectory();
  const path = join(folder, 'log.jsonl');
  const old = Array.from({ length: 25 }, (_, index) =>
    record(`old${index}`, '2020-01-01T00:00:00Z'),
  );
  const middle = Array.from({ length: 10 }, (_, index) =>
    record(`mid${index}`, '2024-01-01T00:00:00Z'),
  );
  writeFileSync(path, `${[...old, ...middle].join('\n')}\n`);
  const store = SqliteStore.open(join(folder, 'store.db'));
  try {
    await ingest('interactions', await openInput(path), store);
    const recent = record('new0', new Date().toISOString());
    await ingest(
      'interactions',
      await openInput(
        '-',
        Readable.from([`${recent}\n${record('stdin-old', '2020-01-01T00:00:00Z')}\n`]),
      ),
      store,
    );

    const text = await store.prune({
      textBeforeMs: Date.parse('2025-01-01T00:00:00Z'),
      batchRows: 10,
    });
    assert.deepEqual(
      [text.rowsDeleted, text.textPruned],
      [0, 36],
      'the 35 file rows and the old stdin row',
    );
    assert.ok(text.batches >= 4, `bounded batches of 10 sequence numbers (${text.batches})`);
    const afterText = await exported(store);
    assert.equal(afterText.length, 37, 'every row is kept');
    const validate = validateInteraction();
    for (const stripped of afterText.filter((item) => item.id !== 'new0')) {
      assert.ok(validate(stripped as unknown), JSON.stringify(validate.problem()));
      assert.ok(
        !JSON.stringify(stripped).includes('secret'),
        `no text left in ${JSON.stringify(stripped)}`,
      );
      assert.equal(typeof stripped.text_pruned_at, 'string');
      assert.equal(stripped.response.usage.output_tokens, 7, 'token counts are kept');
      assert.equal(stripped.response.status, 200);
      assert.equal(stripped.account_id, `acct-${stripped.id}`);
    }
    const fromRaw = afterText.find((item) => item.id === 'stdin-old')!;
    assert.deepEqual(
      fromRaw.request,
      { max_tokens: 64, temperature: 0.5 },
      'numeric request parameters stay',
    );
    assert.deepEqual(
      fromRaw.decision,
      { action: 'observe', campaign_id: null },
      'the decision stays',
    );
    assert.match(
      JSON.stringify(afterText.find((item) => item.id === 'new0')),
      /secret answer new0/,
      'recent text is kept',
    );
    assert.equal(
      (await store.prune({ textBeforeMs: Date.parse('2025-01-01T00:00:00Z') })).textPruned,
      0,
      'a second run has nothing to do',
    );

    // the original file imported again is a repeat of what is stored, not a conflict
    const again = await ingest('interactions', await openInput(path), store);
    assert.equal(again.rejected, 0);

    const rows = await store.prune({
      rowsBeforeMs: Date.parse('2022-01-01T00:00:00Z'),
      batchRows: 7,
    });
    assert.equal(rows.rowsDeleted, 26);
    assert.deepEqual(
      (await exported(store)).map((item) => item.id).sort(),
      [...middle.map((_, index) => `mid${index}`), 'new0'].sort(),
    );
    assert.equal(
      store.connection.prepare('SELECT count(*) FROM imports').pluck().get(),
      3,
      'imports and their counts stay',
    );
  } finally {
    await store.close();
  }
});
