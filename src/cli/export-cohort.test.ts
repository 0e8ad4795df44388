// `distillguard export --cohort N`: only the exchanges served under tracer cohort N, in the
// contract format with their `watermark` field: the --served file of an audit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { validateInteraction } from '../core/index.js';
import {
  observeOnly,
  parseGatewayConfig,
  startGateway,
  type Enforcement,
} from '../gateway/index.js';
import { startFakeUpstream } from '../test-support/fake-openai-upstream.js';
import { runCli } from '../test-support/run-cli.js';
import { generateWatermarkKey, writeWatermarkKey } from '../watermark/index.js';

const tracing: Enforcement = {
  ...observeOnly,
  admit: (accountId, nowMs) =>
    accountId === 'acct-tracer'
      ? { action: 'tracer', reason: 'test', campaignId: 'c1', cohort: 3, ttlS: 60, refusal: null }
      : observeOnly.admit(accountId, nowMs),
};

test(
  'export --cohort keeps the exchanges served under that cohort',
  { timeout: 60_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-export-cohort-'));
    const upstream = await startFakeUpstream({
      reply: 'The big car needed a repair, perhaps soon.',
    });
    const db = join(folder, 'gateway.db');
    try {
      writeWatermarkKey(join(folder, 'master.json'), generateWatermarkKey('kgw'));
      const gateway = await startGateway({
        port: 0,
        databasePath: db,
        upstream: upstream.url,
        enforcement: () => tracing,
        logLevel: 'silent',
        config: parseGatewayConfig({
          watermark: { master_key_file: join(folder, 'master.json'), default_scheme: 'lexical' },
        }),
      });
      for (const account of ['acct-tracer', 'acct-plain']) {
        const client = new OpenAI({
          apiKey: (await gateway.keys.create(account)).secret,
          baseURL: `${gateway.url}/v1`,
          maxRetries: 0,
        });
        await client.chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'Say something.' }],
        });
      }
      await gateway.close();
      const out = join(folder, 'served.jsonl');
      const exported = await runCli(['export', '--db', db, '--cohort', '3', '--out', out]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stderr, /exported 1 interactions served under tracer cohort 3/);
      const records = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, any>);
      assert.equal(records.length, 1);
      assert.equal(records[0].account_id, 'acct-tracer');
      assert.equal(records[0].watermark.cohort, 3);
      assert.equal(records[0].watermark.scheme, 'lexical');
      const validate = validateInteraction();
      assert.ok(validate(records[0]), JSON.stringify(validate.problem()));
      const none = await runCli([
        'export',
        '--db',
        db,
        '--cohort',
        '4',
        '--out',
        join(folder, 'none.jsonl'),
      ]);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(readFileSync(join(folder, 'none.jsonl'), 'utf8'), '');
    } finally {
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
