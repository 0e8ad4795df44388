// `distillguard prune` as an operator runs it: --text-only strips old prompts and answers and keeps
// the rows, a plain prune deletes old exchanges, each run prints what it removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';
import { parseDuration } from './commands/prune.js';

const record = (id: string, ts: string) =>
  JSON.stringify({
    id,
    ts,
    account_id: 'a1',
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: `private prompt ${id}` }] },
    response: { status: 200, text: `private answer ${id}`, usage: { output_tokens: 3 } },
  });

test(
  'prune --older-than: text first with --text-only, then whole exchanges',
  { timeout: 60_000 },
  async () => {
    const folder = temporaryDirectory();
    try {
      const db = join(folder, 'store.db');
      const input = join(folder, 'log.jsonl');
      const recent = new Date(Date.now() - 3_600_000).toISOString();
      writeFileSync(
        input,
        `${[record('old1', '2020-05-01T00:00:00Z'), record('old2', '2020-05-02T00:00:00Z'), record('new1', recent)].join('\n')}\n`,
      );
      assert.equal((await runCli(['ingest', '--interactions', input, '--db', db])).code, 0);

      const textOnly = await runCli(['prune', '--older-than', '30d', '--text-only', '--db', db]);
      assert.equal(textOnly.code, 0, textOnly.stderr);
      assert.match(
        textOnly.stdout,
        /^pruned exchanges before \S+: 0 exchanges deleted, 2 reduced to their metadata, text of 0 rejected lines emptied/,
      );
      const out = join(folder, 'out.jsonl');
      assert.equal((await runCli(['export', '--db', db, '--out', out])).code, 0);
      const text = readFileSync(out, 'utf8');
      assert.equal(text.trim().split('\n').length, 3, 'the rows stay');
      assert.doesNotMatch(text, /private (prompt|answer) old/);
      assert.match(text, /private answer new1/, 'the recent exchange keeps its text');

      const whole = await runCli(['prune', '--older-than', '12h', '--db', db]);
      assert.equal(whole.code, 0, whole.stderr);
      assert.match(whole.stdout, /: 2 exchanges deleted, 0 reduced/);
      assert.equal((await runCli(['export', '--db', db, '--out', out])).code, 0);
      assert.deepEqual(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as { id: string }).id),
        ['new1'],
      );

      const badDuration = await runCli(['prune', '--older-than', '30 days', '--db', db]);
      assert.equal(badDuration.code, 64);
      assert.match(badDuration.stderr, /expected a duration such as 30d, 12h, 90m/);
      const noStore = await runCli([
        'prune',
        '--older-than',
        '30d',
        '--db',
        join(folder, 'missing.db'),
      ]);
      assert.notEqual(noStore.code, 0);
      assert.match(noStore.stderr, /no store at '.*missing\.db'/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test('durations: 30d, 12h, 90m, 45s', () => {
  assert.equal(parseDuration('30d'), 30 * 86_400_000);
  assert.equal(parseDuration('12h'), 12 * 3_600_000);
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('45s'), 45_000);
  for (const bad of ['30', 'd', '-1d', '0d', '1w'])
    assert.throws(() => parseDuration(bad), /expected a duration/);
});
