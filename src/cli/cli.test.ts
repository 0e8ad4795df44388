import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateReport, type AnalysisReport } from '../core/index.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

function line(id: string, account: string, ts: string): string {
  return JSON.stringify({
    id,
    ts,
    account_id: account,
    api: 'anthropic.messages',
    model: 'orion-1',
    request: { max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] },
  });
}

test('analyze on a file with three broken lines exits 0, reports rejected: 3 and prints each line number and reason', async () => {
  const folder = temporaryDirectory();
  const input = join(folder, 'interactions.jsonl');
  writeFileSync(
    input,
    [
      line('r1', 'a1', '2026-02-02T10:00:00Z'),
      'this is not json',
      line('r2', 'a2', '2026-02-02T12:00:00Z'),
      JSON.stringify({
        id: 'r9',
        ts: '2026-02-02T12:00:00Z',
        account_id: 'a9',
        api: 'openai.chat',
        request: {},
      }),
      line('r3', 'a1', '2026-02-04T09:15:00Z'),
      JSON.stringify({
        id: 'r8',
        ts: '2026-02-02T12:00:00Z',
        account_id: 'a8',
        api: 'bard',
        model: 'm',
        request: {},
      }),
    ].join('\n') + '\n',
  );
  const reportPath = join(folder, 'report.json');
  const result = await runCli([
    'analyze',
    '--interactions',
    input,
    '--out',
    reportPath,
    '--db',
    join(folder, 'store.db'),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /interactions\.jsonl:2: is not valid JSON/);
  assert.match(result.stderr, /interactions\.jsonl:4: field 'model' is required but missing/);
  assert.match(result.stderr, /interactions\.jsonl:6: field 'api' must be one of/);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as AnalysisReport;
  assert.equal(validateReport()(report), true);
  assert.deepEqual(report.input, {
    interactions: 3,
    accounts: 2,
    rejected: 3,
    from: '2026-02-02T10:00:00.000Z',
    to: '2026-02-04T09:15:00.000Z',
  });
  assert.deepEqual(report.accounts, []);
  assert.deepEqual(report.campaigns, []);
  assert.match(result.stdout, /analysed 3 interactions of 2 accounts/);
});

test('analyze on an unreadable file exits non-zero with one clear message and writes no report', async () => {
  const folder = temporaryDirectory();
  const reportPath = join(folder, 'report.json');
  const result = await runCli([
    'analyze',
    '--interactions',
    join(folder, 'missing.jsonl'),
    '--out',
    reportPath,
    '--db',
    join(folder, 'store.db'),
  ]);
  assert.notEqual(result.code, 0);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /^distillguard: cannot read '.*missing\.jsonl': no such file/);
  assert.throws(() => readFileSync(reportPath));
});

test('analyze reads standard input with "-", and --max-rejected stops with a non-zero exit', async () => {
  const folder = temporaryDirectory();
  const body = [
    line('r1', 'a1', '2026-02-02T10:00:00Z'),
    'bad',
    'bad',
    line('r2', 'a1', '2026-02-02T11:00:00Z'),
  ].join('\n');
  const ok = await runCli(
    [
      'analyze',
      '--interactions',
      '-',
      '--out',
      join(folder, 'r.json'),
      '--db',
      join(folder, 'a.db'),
    ],
    { stdin: body },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /stdin:2: is not valid JSON/);
  const stopped = await runCli(
    [
      'analyze',
      '--interactions',
      '-',
      '--out',
      join(folder, 'r2.json'),
      '--db',
      join(folder, 'b.db'),
      '--max-rejected',
      '1',
    ],
    { stdin: body },
  );
  assert.equal(stopped.code, 3);
  assert.match(
    stopped.stderr,
    /distillguard: stopped reading 'stdin' after 2 rejected lines \(--max-rejected 1\)/,
  );
});

test('bad options are refused with a usage error naming the option', async () => {
  const result = await runCli(['simulate', '--out', temporaryDirectory(), '--scale', 'lots']);
  assert.equal(result.code, 64);
  assert.match(result.stderr, /--scale/);
});

test('an --out in a missing folder is refused before any work, naming the option', async () => {
  const folder = temporaryDirectory();
  writeFileSync(join(folder, 'in.jsonl'), `${line('r1', 'a1', '2026-02-02T10:00:00Z')}\n`);
  const result = await runCli([
    'analyze',
    '--interactions',
    join(folder, 'in.jsonl'),
    '--out',
    join(folder, 'missing', 'report.json'),
    '--db',
    join(folder, 'store.db'),
  ]);
  assert.equal(result.code, 73);
  assert.match(
    result.stderr,
    /folder '.*missing' does not exist or is not writable\. Check --out\./,
  );
});

test('detection sees each distinct record once: a log with repeated ids gives the same account counts as without', async () => {
  const folder = temporaryDirectory();
  const records = Array.from({ length: 30 }, (_, index) =>
    line(`r${index}`, 'a1', `2026-02-02T10:${String(index).padStart(2, '0')}:00Z`),
  );
  writeFileSync(join(folder, 'twice.jsonl'), [...records, ...records.slice(0, 12)].join('\n'));
  const result = await runCli([
    'analyze',
    '--interactions',
    join(folder, 'twice.jsonl'),
    '--out',
    join(folder, 'r.json'),
    '--scores',
    join(folder, 's.jsonl'),
    '--db',
    join(folder, 'store.db'),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const scores = readFileSync(join(folder, 's.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as { account_id: string; requests: number });
  assert.deepEqual(
    scores.map((score) => [score.account_id, score.requests]),
    [['a1', 30]],
  );
  assert.equal(
    (JSON.parse(readFileSync(join(folder, 'r.json'), 'utf8')) as AnalysisReport).input.interactions,
    30,
  );
});
