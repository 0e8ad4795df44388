import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  contractNames,
  contractPath,
  validateAccount,
  validateInteraction,
  validateLabels,
  validateReport,
} from './contracts.js';
import type { Account, AnalysisReport, Interaction, Labels } from './types.js';
import { sharedDirectory } from '../test-support/paths.js';

test('the project copy of every contract is identical to the shared schema file', (context) => {
  const shared = sharedDirectory();
  if (!shared) {
    context.skip('../shared/contracts is not beside this checkout');
    return;
  }
  for (const name of contractNames) {
    const ours = JSON.parse(readFileSync(contractPath(name), 'utf8')) as unknown;
    const theirs = JSON.parse(
      readFileSync(join(shared, 'contracts', `${name}.schema.json`), 'utf8'),
    ) as unknown;
    assert.deepEqual(
      ours,
      theirs,
      `contracts/${name}.schema.json differs from the shared one: copy it again`,
    );
  }
});

const interaction: Interaction = {
  id: 'req_1',
  ts: '2026-02-02T09:30:00Z',
  account_id: 'acct_1',
  key_id: 'key_1',
  client: { ip: '203.0.113.7', user_agent: 'OpenAI/Python 1.54.4', asn: 64500, country: 'US' },
  api: 'openai.chat',
  model: 'orion-1',
  request: { messages: [{ role: 'user', content: 'hi' }] },
  response: {
    status: 200,
    text: 'hello',
    usage: { input_tokens: 1, output_tokens: 1 },
    latency_ms: 12,
  },
};

test('a complete interaction written with the TypeScript type validates', () => {
  assert.equal(validateInteraction()(interaction), true);
});

test('interaction problems name the field and the reason', () => {
  const validate = validateInteraction();
  const cases: [unknown, string, RegExp][] = [
    [{ ...interaction, ts: '02/02/2026' }, 'ts', /date-time/],
    [{ ...interaction, account_id: undefined }, 'account_id', /required/],
    [{ ...interaction, api: 'gemini' }, 'api', /one of/],
    [{ ...interaction, client: { asn: -4 } }, 'client.asn', />= 0/],
    [{ ...interaction, request: 'hello' }, 'request', /object/],
    [{ ...interaction, client: { country: 'usa' } }, 'client.country', /pattern/],
    // the schema's date-time admits a leap second; epoch milliseconds (the store's ts_ms) cannot hold it
    [{ ...interaction, ts: '2016-12-31T23:59:60Z' }, 'ts', /leap second/],
  ];
  for (const [record, field, reason] of cases) {
    assert.equal(validate(record), false, `expected ${field} to be rejected`);
    const problem = validate.problem();
    assert.equal(problem.field, field);
    assert.match(problem.reason, reason);
  }
});

test('an account whose created_at is a leap second is rejected; a valid record after a rejected one is accepted', () => {
  const validate = validateAccount();
  assert.equal(validate({ account_id: 'a', created_at: '2016-12-31T23:59:60Z' }), false);
  assert.deepEqual(validate.problem().field, 'created_at');
  assert.equal(validate({ account_id: 'a', created_at: '2016-12-31T23:59:59Z' }), true);
  assert.equal(validateInteraction()(interaction), true);
});

test('accounts, reports and labels written with their types validate, and their mistakes are caught', () => {
  const account: Account = {
    account_id: 'acct_1',
    created_at: '2025-01-01T00:00:00Z',
    verification: 'research',
    country: 'DE',
  };
  assert.equal(validateAccount()(account), true);
  const badAccount = validateAccount();
  assert.equal(badAccount({ account_id: 'acct_1', verification: 'passport' }), false);
  assert.equal(badAccount.problem().field, 'verification');

  const report: AnalysisReport = {
    schema: 'distillguard.report/v1',
    generated_at: '2026-02-09T00:00:00Z',
    input: { interactions: 10, accounts: 2, rejected: 0 },
    accounts: [
      {
        account_id: 'acct_1',
        verdict: 'extraction',
        risk: 0.9,
        campaign_id: 'c1',
        reasons: [{ signal: 'template', detail: 'x' }],
      },
    ],
    campaigns: [{ campaign_id: 'c1', accounts: ['acct_1'], risk: 0.9, reasons: [] }],
  };
  assert.equal(validateReport()(report), true);
  const badReport = validateReport();
  assert.equal(badReport({ ...report, accounts: [{ ...report.accounts[0], risk: 1.5 }] }), false);
  assert.equal(badReport.problem().field, 'accounts.0.risk');

  const labels: Labels = {
    accounts: { acct_1: { class: 'campaign', persona: 'hydra-coding', campaign: 'c1' } },
  };
  assert.equal(validateLabels()(labels), true);
  assert.equal(validateLabels()({ accounts: { acct_1: { class: 'evil' } } }), false);
});
