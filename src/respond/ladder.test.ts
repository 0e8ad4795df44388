import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Verdict } from '../core/index.js';
import { actions, isEnforcement } from './actions.js';
import { decide, type AccountState, type CampaignState } from './ladder.js';
import { defaultPolicy, parsePolicyConfig } from './policy-config.js';

const now = Date.UTC(2026, 0, 1);
const account = (
  verdict: Verdict | null,
  risk: number,
  campaign: CampaignState | null = null,
): AccountState => ({ accountId: 'acct-1', verdict, risk, campaign });
const campaign = (verdict: Verdict | null, risk: number, accounts: number): CampaignState => ({
  id: 'camp-7',
  verdict,
  risk,
  accounts,
});

test('the default ladder: extraction at high risk blocks, lower risk degrades, verifies or throttles', () => {
  assert.equal(decide(account('extraction', 0.995), defaultPolicy, now).action, 'block');
  assert.equal(decide(account('extraction', 0.96), defaultPolicy, now).action, 'degrade');
  assert.equal(decide(account('extraction', 0.9), defaultPolicy, now).action, 'verify');
  assert.equal(decide(account('extraction', 0.75), defaultPolicy, now).action, 'throttle');
  assert.equal(decide(account('review', 0.5), defaultPolicy, now).action, 'tracer');
  assert.equal(decide(account(null, 0), defaultPolicy, now).action, 'observe');
});

test('campaign members get the campaign action even when their own score is modest', () => {
  const large = campaign('extraction', 0.995, 40);
  for (const member of [
    account('review', 0.3, large),
    account(null, 0, large),
    account('extraction', 0.75, large),
  ]) {
    const decision = decide(member, defaultPolicy, now);
    assert.equal(decision.action, 'block');
    assert.equal(decision.rule, 'block-campaign');
    assert.equal(decision.campaign_id, 'camp-7');
    assert.match(decision.reason, /acted on with its campaign|also matches/);
  }
  assert.equal(
    decide(account('review', 0.3, campaign('extraction', 0.92, 3)), defaultPolicy, now).action,
    'degrade',
  );
  assert.equal(
    decide(account('review', 0.3, campaign('extraction', 0.8, 3)), defaultPolicy, now).action,
    'throttle',
  );
  assert.equal(
    decide(account('review', 0.3, campaign('extraction', 0.995, 3)), defaultPolicy, now).action,
    'degrade',
    'block-campaign needs five accounts',
  );
});

test('benchmark accounts are observed whatever else is true, under any valid policy', () => {
  const severe = parsePolicyConfig({
    rules: [
      { name: 'block-any-campaign', action: 'block', campaign_verdict: 'extraction' },
      { name: 'block-any', action: 'block', account_verdict: 'extraction' },
      { name: 'trace-review', action: 'tracer', campaign_verdict: 'review' },
    ],
  });
  for (const policy of [defaultPolicy, severe]) {
    for (const risk of [0, 0.5, 0.999, 1]) {
      for (const group of [
        null,
        campaign('extraction', 1, 100),
        campaign('review', 0.9, 4),
        campaign('benchmark', 1, 2),
      ]) {
        const decision = decide(account('benchmark', risk, group), policy, now);
        assert.equal(decision.action, 'observe');
        assert.match(decision.reason, /benchmark/);
      }
    }
  }
});

test('review verdicts never trigger enforcement under the default ladder', () => {
  for (const risk of [0, 0.4, 0.7, 1]) {
    for (const group of [
      null,
      campaign('review', risk, 50),
      campaign('benchmark', 1, 50),
      campaign(null, 1, 50),
    ]) {
      assert.equal(
        isEnforcement(decide(account('review', risk, group), defaultPolicy, now).action),
        false,
      );
    }
  }
});

test('the most severe matching rule wins, whatever the order of rules', () => {
  const policy = parsePolicyConfig({
    rules: [
      { name: 'throttle-first', action: 'throttle', account_verdict: 'extraction' },
      {
        name: 'block-later',
        action: 'block',
        account_verdict: 'extraction',
        min_account_risk: 0.9,
      },
    ],
  });
  assert.equal(decide(account('extraction', 0.95), policy, now).rule, 'block-later');
  assert.equal(decide(account('extraction', 0.85), policy, now).rule, 'throttle-first');
  assert.deepEqual([...actions], ['observe', 'tracer', 'throttle', 'verify', 'degrade', 'block']);
});

test('a decision carries a readable reason, ttl and a stable cohort where output is still served', () => {
  const decision = decide(account('extraction', 0.96), defaultPolicy, now);
  assert.equal(
    decision.reason,
    "Rule 'degrade-account' (degrade): account acct-1 has an extraction verdict at risk 0.96 (rule needs risk >= 0.95).",
  );
  assert.match(
    decision.reason,
    /^Rule 'degrade-account' \(degrade\): account acct-1 has an extraction verdict at risk 0\.96/,
  );
  assert.equal(decision.ttl_s, 300);
  assert.equal(decision.expires_at_ms, now + 300_000);
  assert.equal(typeof decision.cohort, 'number');

  const members = ['a', 'b', 'c'].map((id) =>
    decide(
      { accountId: id, verdict: 'review', risk: 0.4, campaign: campaign('review', 0.6, 3) },
      defaultPolicy,
      now,
    ),
  );
  assert.ok(
    members.every((member) => member.action === 'tracer' && member.cohort === members[0].cohort),
    'one campaign, one cohort',
  );
  assert.ok(members[0].cohort! >= 0 && members[0].cohort! < 16);
  assert.equal(
    decide(account('extraction', 0.995), defaultPolicy, now).cohort,
    undefined,
    'block serves nothing to mark',
  );
  assert.equal(
    decide(account('extraction', 0.9), defaultPolicy, now).cohort,
    undefined,
    'verify serves nothing to mark',
  );
  assert.match(
    decide(account(null, 0), defaultPolicy, now).reason,
    /^No rule matched account acct-1/,
  );
});
