import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

test('refmodel train then serve: the served model answers a chat request and stops on SIGTERM', async () => {
  const folder = temporaryDirectory();
  const corpus = join(folder, 'corpus.jsonl');
  writeFileSync(
    corpus,
    ['the cat sat on the mat.', 'the dog sat on the log.', 'a cat and a dog.']
      .map((text) => JSON.stringify({ text }))
      .join('\n') + '\n',
  );
  const modelPath = join(folder, 'tiny.bin');
  const trained = await runCli([
    'refmodel',
    'train',
    '--corpus',
    corpus,
    '--out',
    modelPath,
    '--order',
    '3',
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /trained an order-3 model on 3 documents/);

  const child = spawn(
    process.execPath,
    [cliPath, 'refmodel', 'serve', '--port', '0', '--model', modelPath],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+) /.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'tiny',
      messages: [{ role: 'user', content: 'the cat' }],
      max_tokens: 5,
      seed: 1,
    }),
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  assert.equal(typeof body.choices[0].message.content, 'string');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('refmodel train names the line of a bad JSONL record', async () => {
  const folder = temporaryDirectory();
  const corpus = join(folder, 'corpus.jsonl');
  writeFileSync(corpus, `${JSON.stringify({ text: 'fine' })}\n{broken\n`);
  const result = await runCli([
    'refmodel',
    'train',
    '--corpus',
    corpus,
    '--out',
    join(folder, 'm.bin'),
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /corpus\.jsonl:2: is not valid JSON/);
});
