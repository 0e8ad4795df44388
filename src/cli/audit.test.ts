// `distillguard audit` as a user runs it: a bad prompts line is named, the evidence has its
// top-level fields, and the HTML report loads nothing from outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReferenceModelServer } from '../refmodel/index.js';
import { runCli } from '../test-support/run-cli.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import { deriveCohortKey, writeWatermarkKey } from '../watermark/index.js';

test('audit writes evidence.json and a self-contained HTML report, and names a bad prompts line', async () => {
  const directory = temporaryDirectory();
  const key = fixedWatermarkKey('kgw', 'cli-audit');
  writeWatermarkKey(join(directory, 'key.json'), key);
  for (const cohort of ['a', 'b'])
    writeWatermarkKey(join(directory, `cohort-${cohort}.json`), deriveCohortKey(key, cohort));
  const promptsPath = join(directory, 'prompts.jsonl');
  writeFileSync(
    promptsPath,
    [
      JSON.stringify({ messages: [{ role: 'user', content: 'Tell me about rivers.' }], seed: 1 }),
      '{"messages": "not a list"}',
      JSON.stringify({ prompt: 'Explain the water cycle.', seed: 2 }),
    ].join('\n'),
  );
  const server = await startReferenceModelServer({ port: 0 });
  try {
    const out = join(directory, 'evidence.json');
    const html = join(directory, 'evidence.html');
    const result = await runCli([
      'audit',
      '--suspect',
      `${server.url}/v1`,
      '--model',
      'suspect-1',
      '--prompts',
      promptsPath,
      '--key',
      join(directory, 'key.json'),
      '--out',
      out,
      '--html',
      html,
      '--max-tokens',
      '120',
      '--rate',
      '100',
      '--null-keys',
      '1000',
      '--min-tuples',
      '50',
      '--cohort-keys',
      join(directory, 'cohort-a.json'),
      join(directory, 'cohort-b.json'),
    ]);
    assert.match(result.stderr, /prompts\.jsonl:2: field "messages"/);
    assert.equal(result.code, 2, result.stderr);
    const evidence = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> & {
      null: { keys: number };
      counts: { prompts: number; answers: number };
      suspect: { url: string };
      cohorts: { keys: unknown[] };
    };
    for (const field of [
      'log10_p_value',
      'scored_tuples',
      'null',
      'method',
      'counts',
      'key',
      'suspect',
      'started_at',
      'finished_at',
      'verdict',
    ])
      assert.ok(field in evidence, field);
    assert.equal(typeof evidence.log10_p_value, 'number');
    assert.equal(evidence.null.keys, 1000);
    assert.equal(evidence.counts.prompts, 2);
    assert.equal(evidence.counts.answers, 2);
    assert.equal(evidence.cohorts.keys.length, 2);
    assert.equal(evidence.suspect.url, `${server.url}/v1`);
    assert.ok(!readFileSync(out, 'utf8').includes(key.secret));
    assert.equal(readFileSync(`${out}.answers.jsonl`, 'utf8').trim().split('\n').length, 2);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /Limits/);
    assert.match(page, /paraphrased/);
    assert.doesNotMatch(page, /<script|<link|<img|<iframe|\b(src|href)\s*=|url\(|@import/i);
    assert.ok(!page.includes(key.secret));
  } finally {
    await server.close();
  }
});
