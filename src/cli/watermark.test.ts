// `distillguard watermark keygen` and `detect` as a user runs them (built CLI, real files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeText, generate, loadDefaultModel, samplingStream } from '../refmodel/index.js';
import { runCli } from '../test-support/run-cli.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { deriveCohortKey, readWatermarkKey, watermarkProcessor } from '../watermark/index.js';

test('keygen writes a 0600 key and never prints the secret; detect finds the mark in text, JSON and JSON Lines', async () => {
  const directory = temporaryDirectory();
  const keyPath = join(directory, 'key.json');
  const made = await runCli([
    'watermark',
    'keygen',
    '--scheme',
    'kgw',
    '--gamma',
    '0.25',
    '--delta',
    '2',
    '--out',
    keyPath,
  ]);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  const key = readWatermarkKey(keyPath);
  assert.ok(!made.stdout.includes(key.secret) && made.stdout.includes(key.key_id));

  const model = loadDefaultModel();
  const marked = generate(
    model,
    encodeText('Write about rivers.\n\n'),
    {
      maxTokens: 300,
      logitBias: new Map([[100257, -100]]),
      logitsProcessor: watermarkProcessor(key),
    },
    samplingStream(1),
  ).text;
  const textPath = join(directory, 'marked.txt');
  writeFileSync(textPath, marked);
  const single = await runCli(['watermark', 'detect', '--key', keyPath, textPath, '--json']);
  assert.equal(single.code, 0, single.stderr);
  const result = JSON.parse(single.stdout) as {
    verdict: string;
    scored_tokens: number;
    log10_p_value: number;
    statistic: number;
  };
  assert.equal(result.verdict, 'watermarked');
  assert.ok(result.scored_tokens >= 200 && result.log10_p_value < -3);

  const human = await runCli(['watermark', 'detect', '--key', keyPath, '-'], {
    stdin: 'Short human text.',
  });
  assert.match(human.stdout, /^too_short: /);

  const batch = [
    JSON.stringify({ text: marked }),
    'not json',
    JSON.stringify({ text: 'Too short.' }),
  ].join('\n');
  const lines = await runCli(['watermark', 'detect', '--key', keyPath, '--jsonl', '-'], {
    stdin: batch,
  });
  const results = lines.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { line: number; verdict: string });
  assert.deepEqual(
    results.map((entry) => [entry.line, entry.verdict]),
    [
      [1, 'watermarked'],
      [3, 'too_short'],
    ],
  );
  assert.match(lines.stderr, /line 2: expected a JSON object/);
  assert.match(lines.stderr, /1 of 3 lines were skipped/);
  assert.equal(lines.code, 2);
  assert.ok(!readFileSync(keyPath, 'utf8').includes('\n\n'));
});

test('cohort-keys writes the keys the gateway derives from its master key, and detect names the cohort with them', async () => {
  const directory = temporaryDirectory();
  const masterPath = join(directory, 'master.json');
  assert.equal(
    (await runCli(['watermark', 'keygen', '--scheme', 'kgw', '--out', masterPath])).code,
    0,
  );
  const keysFolder = join(directory, 'cohorts');
  mkdirSync(keysFolder);
  const derived = await runCli([
    'watermark',
    'cohort-keys',
    '--master',
    masterPath,
    '--out',
    keysFolder,
    '--cohorts',
    '4',
  ]);
  assert.equal(derived.code, 0, derived.stderr);
  const master = readWatermarkKey(masterPath);
  for (let cohort = 0; cohort < 4; cohort += 1) {
    const file = join(keysFolder, `cohort-${cohort}.json`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readWatermarkKey(file).key_id, deriveCohortKey(master, String(cohort)).key_id);
  }
  const model = loadDefaultModel();
  const marked = generate(
    model,
    encodeText('The history of the printing press'),
    {
      maxTokens: 260,
      logitsProcessor: watermarkProcessor(deriveCohortKey(master, '2')),
      logitBias: new Map([[100257, -100]]),
    },
    samplingStream(7),
  );
  const textPath = join(directory, 'served.txt');
  writeFileSync(textPath, marked.text);
  const detected = await runCli([
    'watermark',
    'detect',
    '--cohort-keys',
    keysFolder,
    '--json',
    textPath,
  ]);
  assert.equal(detected.code, 0, detected.stderr);
  const result = JSON.parse(detected.stdout) as { cohort?: string | null };
  assert.equal(result.cohort, '2');
  const missing = await runCli([
    'watermark',
    'cohort-keys',
    '--master',
    masterPath,
    '--out',
    join(directory, 'absent'),
  ]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /does not exist/);
});
