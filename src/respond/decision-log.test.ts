import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisReport } from '../core/index.js';
import { accountStatesFromReport, unflaggedAccount } from './account-state.js';
import { MemoryDecisionSink, toDecisionRecord } from './decision-log.js';
import { decide } from './ladder.js';
import { defaultPolicy } from './policy-config.js';
import { refusalFor } from './refusal.js';
import { MemoryCounterStore, throttleRequest } from './token-bucket.js';

const now = Date.UTC(2026, 2, 1, 12);
const report: AnalysisReport = {
  schema: 'distillguard.report/v1',
  generated_at: '2026-03-01T00:00:00.000Z',
  input: { interactions: 100, accounts: 10 },
  accounts: [
    { account_id: 'lead', verdict: 'extraction', risk: 0.97, campaign_id: 'c1', reasons: [] },
    { account_id: 'helper', verdict: 'review', risk: 0.35, campaign_id: 'c1', reasons: [] },
    { account_id: 'evals', verdict: 'benchmark', risk: 0.05, campaign_id: null, reasons: [] },
  ],
  campaigns: [
    { campaign_id: 'c1', accounts: ['helper', 'lead', 'quiet'], risk: 0.93, reasons: [] },
  ],
};

test('states from a report: campaigns take an extraction verdict from their members and act on all of them', () => {
  const states = accountStatesFromReport(report);
  assert.deepEqual(states.get('quiet'), {
    accountId: 'quiet',
    verdict: null,
    risk: 0,
    campaign: { id: 'c1', verdict: 'extraction', risk: 0.93, accounts: 3 },
  });
  const actions = ['lead', 'helper', 'quiet'].map(
    (id) => decide(states.get(id)!, defaultPolicy, now).action,
  );
  assert.deepEqual(actions, ['degrade', 'degrade', 'degrade']);
  assert.equal(decide(states.get('evals')!, defaultPolicy, now).action, 'observe');
  assert.equal(decide(unflaggedAccount('stranger'), defaultPolicy, now).action, 'observe');
});

test('every decision is stored with its reason', () => {
  const sink = new MemoryDecisionSink(2);
  const state = accountStatesFromReport(report).get('helper')!;
  const decision = decide(state, defaultPolicy, now);
  sink.record(toDecisionRecord(state, decision, now));
  assert.deepEqual(sink.records[0], {
    ts: '2026-03-01T12:00:00.000Z',
    account_id: 'helper',
    campaign_id: 'c1',
    action: 'degrade',
    reason: decision.reason,
    rule: 'degrade-campaign',
    verdict: 'review',
    risk: 0.35,
    campaign_risk: 0.93,
    ttl_s: 300,
    cohort: decision.cohort,
  });
  assert.match(
    sink.records[0].reason,
    /campaign c1 has an extraction verdict at risk 0\.93 with 3 accounts/,
  );
  sink.record(toDecisionRecord(state, decision, now + 1));
  sink.record(toDecisionRecord(state, decision, now + 2));
  assert.equal(sink.records.length, 2, 'the memory sink is bounded');
});

test('refusals: block and verify are 403 with actionable codes; an empty bucket is 429 with Retry-After', () => {
  const block = refusalFor(
    decide(
      { accountId: 'a', verdict: 'extraction', risk: 0.999, campaign: null },
      defaultPolicy,
      now,
    ),
    defaultPolicy,
  );
  assert.deepEqual([block?.status, block?.code], [403, 'account_blocked']);
  const verify = refusalFor(
    decide(
      { accountId: 'a', verdict: 'extraction', risk: 0.9, campaign: null },
      defaultPolicy,
      now,
    ),
    defaultPolicy,
  );
  assert.deepEqual([verify?.status, verify?.code], [403, 'verification_required']);
  assert.match(verify!.message, /verification/);
  const throttle = decide(
    { accountId: 'a', verdict: 'extraction', risk: 0.8, campaign: null },
    defaultPolicy,
    now,
  );
  const store = new MemoryCounterStore();
  for (let request = 0; request < defaultPolicy.throttle.account.burst; request += 1) {
    assert.equal(
      refusalFor(throttle, defaultPolicy, throttleRequest(store, defaultPolicy, 'a', null, now)),
      null,
    );
  }
  const limited = refusalFor(
    throttle,
    defaultPolicy,
    throttleRequest(store, defaultPolicy, 'a', null, now),
  );
  assert.deepEqual(
    [limited?.status, limited?.code, limited?.retry_after_s, limited?.anthropic_type],
    [429, 'rate_limit_exceeded', 3, 'rate_limit_error'],
  );
  assert.equal(refusalFor(decide(unflaggedAccount('b'), defaultPolicy, now), defaultPolicy), null);
});
