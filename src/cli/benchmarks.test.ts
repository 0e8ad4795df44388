import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport } from '../core/index.js';
import { chat, freshContent } from '../test-support/interactions.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

test('an evaluation set added with `benchmarks add` protects runs of it, and only hashes are stored', async () => {
  const folder = temporaryDirectory();
  const database = join(folder, 'store.db');
  const items = Array.from({ length: 80 }, (_, index) => ({
    question: `In the house evaluation, item ${index}: ${freshContent(index, 18)}. What follows?`,
  }));
  writeFileSync(
    join(folder, 'house.jsonl'),
    `${items.map((item) => JSON.stringify(item)).join('\n')}\nnot json\n`,
  );
  const added = await runCli([
    'benchmarks',
    'add',
    join(folder, 'house.jsonl'),
    '--suite',
    'house-eval',
    '--db',
    database,
  ]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /added 80 items to suite 'house-eval' \(1 lines rejected\)/);
  assert.match(added.stderr, /house\.jsonl:81: needs a JSON object/);
  assert.doesNotMatch(
    readFileSync(database).toString('latin1'),
    /house evaluation/,
    'the store keeps no item text',
  );
  const listed = await runCli(['benchmarks', 'list', '--db', database]);
  assert.match(listed.stdout, /house-eval\s+80 items/);
  assert.match(listed.stdout, /gsm8k\s+1,319 items/);

  const start = Date.parse('2026-03-02T14:00:00Z');
  const run = items.map((item, index) =>
    chat({
      account: 'lab',
      ts: start + Math.floor(index / 8) * 2000,
      temperature: 0,
      text: `Answer the question. Think step by step.\n\n${item.question}`,
    }),
  );
  writeFileSync(join(folder, 'run.jsonl'), run.map((record) => JSON.stringify(record)).join('\n'));
  const analysed = await runCli([
    'analyze',
    '--interactions',
    join(folder, 'run.jsonl'),
    '--out',
    join(folder, 'report.json'),
    '--db',
    database,
  ]);
  assert.equal(analysed.code, 0, analysed.stderr);
  const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as AnalysisReport;
  assert.equal(report.accounts[0]?.verdict, 'benchmark');
  assert.match(report.accounts[0].reasons[0].detail, /house-eval/);
});
