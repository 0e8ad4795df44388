import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyConfig } from './policy-config.js';
import {
  MemoryCounterStore,
  rateOfKey,
  retryAfterSeconds,
  throttleRequest,
} from './token-bucket.js';

const start = 1_000_000;

test('a bucket allows its burst, then refills at the configured rate', () => {
  const store = new MemoryCounterStore();
  const rate = { requests_per_minute: 30, burst: 3 }; // one token every 2 s
  const limiter = {
    take: (key: string, nowMs: number) => {
      const { allowed, retryAfterS } = store.takeAll([{ key, rate }], nowMs);
      return { allowed, retryAfterS };
    },
  };
  for (let request = 0; request < 3; request += 1)
    assert.deepEqual(limiter.take('a', start), { allowed: true, retryAfterS: 0 });
  assert.deepEqual(limiter.take('a', start), { allowed: false, retryAfterS: 2 });
  assert.deepEqual(
    limiter.take('a', start + 1_500),
    { allowed: false, retryAfterS: 1 },
    '0.75 token: 0.5 s to go, rounded up',
  );
  assert.equal(limiter.take('a', start + 2_000).allowed, true);
  assert.equal(limiter.take('a', start + 2_000).allowed, false);
  assert.equal(limiter.take('b', start).allowed, true, 'keys are independent');
  for (let request = 0; request < 3; request += 1)
    assert.equal(limiter.take('a', start + 3_600_000).allowed, true, 'refill stops at the burst');
  assert.equal(limiter.take('a', start + 3_600_000).allowed, false);
});

test('Retry-After is whole seconds until one token, at least one', () => {
  assert.equal(retryAfterSeconds(0, { requests_per_minute: 6, burst: 1 }), 10);
  assert.equal(retryAfterSeconds(0.5, { requests_per_minute: 6, burst: 1 }), 5);
  assert.equal(retryAfterSeconds(0.99, { requests_per_minute: 6, burst: 1 }), 1);
  assert.equal(
    retryAfterSeconds(0, { requests_per_minute: 600, burst: 1 }),
    1,
    '0.1 s rounds up to 1',
  );
  assert.equal(retryAfterSeconds(0, { requests_per_minute: 0.5, burst: 1 }), 120);
});

test('a throttled request passes only if both the account and the campaign buckets allow it', () => {
  const policy = parsePolicyConfig({
    throttle: {
      account: { requests_per_minute: 60, burst: 2 },
      campaign: { requests_per_minute: 6, burst: 3 },
    },
  });
  const store = new MemoryCounterStore();
  assert.equal(throttleRequest(store, policy, 'a1', 'c1', start).allowed, true);
  assert.equal(throttleRequest(store, policy, 'a1', 'c1', start).allowed, true);
  const accountLimited = throttleRequest(store, policy, 'a1', 'c1', start);
  assert.equal(accountLimited.allowed, false);
  assert.equal(accountLimited.limitedBy, 'account');
  assert.equal(accountLimited.retryAfterS, 1);
  // the refusal spent nothing from the campaign: a sibling account still gets the campaign's last token
  assert.equal(throttleRequest(store, policy, 'a2', 'c1', start).allowed, true);
  const campaignLimited = throttleRequest(store, policy, 'a3', 'c1', start);
  assert.equal(campaignLimited.limitedBy, 'campaign');
  assert.equal(campaignLimited.retryAfterS, 10, 'campaign refills one token in 10 s');
  assert.equal(throttleRequest(store, policy, 'a3', 'c1', start + 10_000).allowed, true);
  assert.equal(
    throttleRequest(store, policy, 'lone', null, start).allowed,
    true,
    'no campaign, account bucket only',
  );
});

test('memory stays bounded: least recently used buckets go past the cap, full ones on a sweep', () => {
  const store = new MemoryCounterStore({ maxKeys: 100 });
  const rate = { requests_per_minute: 60, burst: 1 };
  for (let key = 0; key < 1_000; key += 1) store.takeAll([{ key: `account:${key}`, rate }], start);
  assert.equal(store.size, 100);
  assert.equal(
    store.takeAll([{ key: 'account:999', rate }], start).allowed,
    false,
    'recent buckets are kept',
  );
  assert.equal(
    store.takeAll([{ key: 'account:0', rate }], start).allowed,
    true,
    'evicted buckets read as full',
  );
  const policy = parsePolicyConfig({ throttle: { account: rate } });
  assert.equal(store.sweep(start + 500, rateOfKey(policy)), 0);
  assert.equal(store.sweep(start + 1_000, rateOfKey(policy)), 100);
  assert.equal(store.size, 0);
});
