import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import type { Interaction, Labels } from '../core/index.js';
import { contractPath } from '../core/index.js';
import { sharedDirectory, temporaryDirectory } from '../test-support/paths.js';
import { simulate } from './simulate.js';

type FormatsPlugin = (instance: Ajv2020) => Ajv2020;
const formats = (
  addFormatsModule as unknown as { default: { default?: FormatsPlugin } & FormatsPlugin }
).default;

/** Validators compiled straight from the shared schema files (the project's copy when ../shared is absent). */
function sharedValidators() {
  const shared = sharedDirectory();
  const schema = (name: string) =>
    JSON.parse(
      readFileSync(
        shared
          ? join(shared, 'contracts', `${name}.schema.json`)
          : contractPath(name as 'interaction'),
        'utf8',
      ),
    ) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (formats.default ?? formats)(ajv);
  return {
    interaction: ajv.compile(schema('interaction')),
    account: ajv.compile(schema('account')),
    labels: ajv.compile(schema('labels')),
    shared: shared !== null,
  };
}

const folder = temporaryDirectory();
const summaryPromise = simulate({ out: folder, scale: 0.05, seed: 7 });

test('--scale 0.05 output validates against the shared contract schemas, line by line', async () => {
  await summaryPromise;
  const validators = sharedValidators();
  const lines = readFileSync(join(folder, 'interactions.jsonl'), 'utf8').trimEnd().split('\n');
  assert.ok(lines.length > 10_000, `expected a sizeable sample, got ${lines.length}`);
  for (const [index, text] of lines.entries()) {
    assert.ok(
      validators.interaction(JSON.parse(text)),
      `interactions.jsonl:${index + 1}: ${JSON.stringify(validators.interaction.errors)}`,
    );
  }
  for (const [index, text] of readFileSync(join(folder, 'accounts.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .entries()) {
    assert.ok(
      validators.account(JSON.parse(text)),
      `accounts.jsonl:${index + 1}: ${JSON.stringify(validators.account.errors)}`,
    );
  }
  assert.ok(
    validators.labels(JSON.parse(readFileSync(join(folder, 'labels.json'), 'utf8'))),
    JSON.stringify(validators.labels.errors),
  );
});

test('every account in the traffic has a label and an account record, and every population is there', async () => {
  const summary = await summaryPromise;
  const labels = JSON.parse(readFileSync(join(folder, 'labels.json'), 'utf8')) as Labels;
  const records = new Set(
    readFileSync(join(folder, 'accounts.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((text) => (JSON.parse(text) as { account_id: string }).account_id),
  );
  const seen = new Set<string>();
  let previous = '';
  const ids = new Set<string>();
  for (const text of readFileSync(join(folder, 'interactions.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')) {
    const record = JSON.parse(text) as Interaction;
    seen.add(record.account_id);
    assert.ok(record.ts >= previous, 'records are in time order');
    previous = record.ts;
    assert.ok(!ids.has(record.id), `duplicate id ${record.id}`);
    ids.add(record.id);
  }
  assert.deepEqual([...seen].sort(), Object.keys(labels.accounts).sort());
  assert.deepEqual([...records].sort(), Object.keys(labels.accounts).sort());
  const personas = new Set(Object.values(labels.accounts).map((label) => label.persona));
  for (const persona of [
    'individual',
    'app',
    'saas',
    'batch',
    'reseller-customer',
    'benchmark-lab',
    'hydra-coding',
    'reward-trace',
    'low-and-slow',
  ]) {
    assert.ok(personas.has(persona), `persona ${persona} missing`);
  }
  const campaigns = new Set(
    Object.values(labels.accounts)
      .filter((label) => label.class === 'campaign')
      .map((label) => label.campaign),
  );
  assert.deepEqual([...campaigns].sort(), [
    'agentic-tools',
    'hydra-coding-reasoning',
    'low-and-slow',
    'reward-trace',
  ]);
  assert.equal(summary.accounts, seen.size);
  // no label leaks into what a detector reads
  const firstLines = readFileSync(join(folder, 'interactions.jsonl'), 'utf8').slice(0, 200_000);
  assert.doesNotMatch(firstLines, /hydra|campaign|benchmark-lab|low-and-slow|reward-trace/);
});

test('the traffic carries what detection needs: both API formats, tools, multi-turn history, logprobs, a model release', async () => {
  await summaryPromise;
  let anthropic = 0,
    tools = 0,
    multiTurn = 0,
    logprobs = 0,
    nextModel = 0,
    completions = 0;
  for (const text of readFileSync(join(folder, 'interactions.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')) {
    const record = JSON.parse(text) as Interaction;
    const request = record.request as {
      messages?: unknown[];
      tools?: unknown[];
      logprobs?: unknown;
    };
    if (record.api === 'anthropic.messages') anthropic += 1;
    if (record.api === 'openai.completions') completions += 1;
    if (request.tools) tools += 1;
    if ((request.messages?.length ?? 0) >= 3) multiTurn += 1;
    if (request.logprobs) logprobs += 1;
    if (record.model === 'orion-2') nextModel += 1;
  }
  for (const [name, count] of Object.entries({
    anthropic,
    tools,
    multiTurn,
    logprobs,
    nextModel,
    completions,
  }))
    assert.ok(count > 0, `no ${name} traffic`);
});

test('the same seed gives byte-identical output; another seed gives other traffic', async () => {
  const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  const first = temporaryDirectory();
  const second = temporaryDirectory();
  const third = temporaryDirectory();
  await simulate({ out: first, scale: 0.02, days: 2, seed: 5 });
  await simulate({ out: second, scale: 0.02, days: 2, seed: 5 });
  await simulate({ out: third, scale: 0.02, days: 2, seed: 6 });
  for (const file of ['interactions.jsonl', 'accounts.jsonl', 'labels.json']) {
    assert.equal(
      digest(join(first, file)),
      digest(join(second, file)),
      `${file} differs between runs with the same seed`,
    );
    assert.notEqual(
      digest(join(first, file)),
      digest(join(third, file)),
      `${file} is the same for another seed`,
    );
  }
});
