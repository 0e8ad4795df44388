import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DistillGuardError } from '../core/index.js';
import { defaultPolicy, parsePolicyConfig } from './policy-config.js';

function usageError(json: unknown): DistillGuardError {
  try {
    parsePolicyConfig(json);
  } catch (error) {
    assert.ok(error instanceof DistillGuardError);
    assert.equal(error.code, 'usage');
    return error;
  }
  assert.fail('expected the config to be refused');
}

test('an empty config is the default ladder, with every section filled in', () => {
  const policy = parsePolicyConfig({});
  assert.deepEqual(policy, defaultPolicy);
  assert.equal(policy.rules[0].name, 'block-campaign');
  assert.deepEqual(policy.throttle.account, { requests_per_minute: 20, burst: 10 });
  assert.equal(policy.degrade.max_tokens, 1024);
  assert.equal(policy.tracer.cohorts, 16);
  assert.equal(policy.ttl_s, 300);
  assert.deepEqual(parsePolicyConfig(undefined), defaultPolicy);
});

test('a partial section keeps the defaults of its other fields', () => {
  const policy = parsePolicyConfig({
    throttle: { account: { requests_per_minute: 6, burst: 2 } },
    degrade: { decoy_tools: true },
  });
  assert.deepEqual(policy.throttle.account, { requests_per_minute: 6, burst: 2 });
  assert.deepEqual(policy.throttle.campaign, defaultPolicy.throttle.campaign);
  assert.equal(policy.degrade.decoy_tools, true);
  assert.equal(policy.degrade.max_tokens, 1024);
});

test('errors name the field path and say what to do', () => {
  assert.match(
    usageError({ throttle: { account: { requests_per_minute: -1, burst: 2 } } }).message,
    /throttle\.account\.requests_per_minute/,
  );
  assert.match(
    usageError({ rules: [{ name: 'x', action: 'explode', account_verdict: 'extraction' }] })
      .message,
    /rules\[0\]\.action/,
  );
  assert.match(
    usageError({
      rules: [{ name: 'x', action: 'block', account_verdict: 'extraction', min_account_risk: 2 }],
    }).message,
    /rules\[0\]\.min_account_risk/,
  );
  const typo = usageError({ degrade: { max_token: 10 } }).message;
  assert.match(typo, /degrade/);
  assert.match(typo, /max_token/);
  assert.match(typo, /unknown field 'degrade.max_token': did you mean 'max_tokens'\?/);
  assert.match(usageError({ ttl_s: 'soon' }).message, /ttl_s/);
});

test('a rule may not enforce on a review verdict, nor name the benchmark verdict', () => {
  const review = usageError({
    rules: [{ name: 'harsh', action: 'throttle', account_verdict: 'review' }],
  }).message;
  assert.match(review, /rules\[0\]\.action/);
  assert.match(review, /review verdicts never trigger enforcement/);
  assert.match(
    usageError({ rules: [{ name: 'b', action: 'observe', account_verdict: 'benchmark' }] }).message,
    /rules\[0\]\.account_verdict/,
  );
  assert.match(
    usageError({ rules: [{ name: 'none', action: 'tracer' }] }).message,
    /names no verdict/,
  );
  assert.match(
    usageError({
      rules: [{ name: 'c', action: 'tracer', account_verdict: 'review', min_campaign_accounts: 3 }],
    }).message,
    /rules\[0\]\.campaign_verdict/,
  );
  assert.doesNotThrow(() =>
    parsePolicyConfig({ rules: [{ name: 'mark', action: 'tracer', account_verdict: 'review' }] }),
  );
});
