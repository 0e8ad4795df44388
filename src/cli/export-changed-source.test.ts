// `distillguard export` after an imported file changed: the rows still as imported are written,
// the changed ones are left out and named, and the command fails so that no script takes the
// export for complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

const line = (id: string) =>
  JSON.stringify({
    id,
    ts: '2026-02-02T10:00:00Z',
    account_id: 'a1',
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: `question ${id}` }] },
  });

test(
  'export refuses rows whose imported file changed since, and says which',
  { timeout: 60_000 },
  async () => {
    const folder = temporaryDirectory();
    try {
      const input = join(folder, 'log.jsonl');
      const db = join(folder, 'store.db');
      writeFileSync(input, `${['e1', 'e2', 'e3'].map(line).join('\n')}\n`);
      const ingested = await runCli(['ingest', '--interactions', input, '--db', db]);
      assert.equal(ingested.code, 0, ingested.stderr);
      // log rotation: a new file of the same shape at the same path
      writeFileSync(input, `${['e1', 'n2', 'n3'].map(line).join('\n')}\n`);
      const out = join(folder, 'out.jsonl');
      const exported = await runCli(['export', '--db', db, '--out', out]);
      assert.equal(exported.code, 2, exported.stderr);
      assert.match(
        exported.stderr,
        /skipped 2 interactions whose imported file could not be read back: 2 from '.*log\.jsonl', which has changed since it was imported/,
      );
      assert.deepEqual(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((text) => (JSON.parse(text) as { id: string }).id),
        ['e1'],
        'only the record still as imported',
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
