// `distillguard watermark keygen` and `detect` as a user runs them (built CLI, real files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeText, generate, loadDefaultModel, samplingStream } from '../refmodel/index.js';
import { runCli } from '../test-support/run-cli.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { readWatermarkKey, watermarkProcessor } from '../watermark/index.js';

test('keygen writes a 0600 key and never prints the secret; detect finds the mark in text, JSON and JSON Lines', async () => {
  const directory = temporaryDirectory();
  const keyPath = join(directory, 'key.json');
  const made = await runCli(['watermark', 'keygen', '--scheme', 'kgw', '--gamma', '0.25', '--delta', '2', '--out', keyPath]);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  const key = readWatermarkKey(keyPath);
  assert.ok(!made.stdout.includes(key.secret) && made.stdout.includes(key.key_id));

  const model = loadDefaultModel();
  const marked = generate(model, encodeText('Write about rivers.\n\n'), { maxTokens: 300, logitBias: new Map([[100257, -100]]), logitsProcessor: watermarkProcessor(key) }, samplingStream(1)).text;
  const textPath = join(directory, 'marked.txt');
  writeFileSync(textPath, marked);
  const single = await runCli(['watermark', 'detect', '--key', keyPath, textPath, '--json']);
  assert.equal(single.code, 0, single.stderr);
  const result = JSON.parse(single.stdout) as { verdict: string; scored_tokens: number; log10_p_value: number; statistic: number };
  assert.equal(result.verdict, 'watermarked');
  assert.ok(result.scored_tokens >= 200 && result.log10_p_value < -3);

  const human = await runCli(['watermark', 'detect', '--key', keyPath, '-'], { stdin: 'Short human text.' });
  assert.match(human.stdout, /^too_short: /);

  const batch = [JSON.stringify({ text: marked }), 'not json', JSON.stringify({ text: 'Too short.' })].join('\n');
  const lines = await runCli(['watermark', 'detect', '--key', keyPath, '--jsonl', '-'], { stdin: batch });
  const results = lines.stdout.trim().split('\n').map((line) => JSON.parse(line) as { line: number; verdict: string });
  assert.deepEqual(results.map((entry) => [entry.line, entry.verdict]), [[1, 'watermarked'], [3, 'too_short']]);
  assert.match(lines.stderr, /line 2: expected a JSON object/);
  assert.match(lines.stderr, /1 of 3 lines were skipped/);
  assert.equal(lines.code, 2);
  assert.ok(!readFileSync(keyPath, 'utf8').includes('\n\n'));
});
