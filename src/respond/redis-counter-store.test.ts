// Token buckets in a real Redis: the same answers as the in-memory buckets for the same takes, one
// rate shared by two connections (two gateways) within 5%, a clear refusal to start without Redis,
// and this gateway's own buckets while Redis is down, shared again once it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DistillGuardError } from '../core/index.js';
import {
  dropRedisKeys,
  engineOrSkip,
  freePort,
  privateRedisAvailable,
  startPrivateRedis,
  startRedisCommand,
  testRedisUrl,
} from '../test-support/engines.js';
import type { BucketRequest } from './counter-store.js';
import { openCounters } from './counters-config.js';
import { RedisCounterStore } from './redis-counter-store.js';
import { MemoryCounterStore } from './token-bucket.js';

const options = (keyPrefix: string, clock: 'redis' | 'caller' = 'redis') => ({
  url: testRedisUrl,
  keyPrefix,
  timeoutMs: 1_000,
  clock,
});

test('Redis buckets answer as the in-memory buckets do, take for take', async (t) => {
  if (!(await engineOrSkip(t, testRedisUrl, 'Redis', startRedisCommand))) return;
  const prefix = `dg-test:${randomUUID()}:`;
  const shared = await RedisCounterStore.connect(options(prefix, 'caller'));
  t.after(async () => {
    await shared.close();
    await dropRedisKeys(testRedisUrl, prefix);
  });
  const memory = new MemoryCounterStore();
  const account = { requests_per_minute: 90, burst: 4 };
  const campaign = { requests_per_minute: 150, burst: 6 };
  // a seeded walk over three accounts of one campaign and a loner, at uneven times
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let nowMs = 1_700_000_000_000;
  let refused = 0;
  for (let step = 0; step < 400; step += 1) {
    nowMs += Math.floor(next() * 150);
    const who = Math.floor(next() * 4);
    const requests: BucketRequest[] = [{ key: `account:a${who}`, rate: account }];
    if (who < 3) requests.push({ key: 'campaign:c1', rate: campaign });
    const expected = memory.takeAll(requests, nowMs);
    const got = await shared.takeAll(requests, nowMs);
    assert.deepEqual(got, expected, `take ${step} at ${nowMs}`);
    if (!expected.allowed) refused += 1;
  }
  assert.ok(
    refused > 50 && refused < 350,
    `the walk refuses some takes and allows others (${refused} refused)`,
  );
  assert.equal(shared.health().localTakes, 0);
});

test('two gateways share one rate: allowed takes within 5% of burst + rate x time', async (t) => {
  if (!(await engineOrSkip(t, testRedisUrl, 'Redis', startRedisCommand))) return;
  const prefix = `dg-test:${randomUUID()}:`;
  const gateways = [
    await RedisCounterStore.connect(options(prefix)),
    await RedisCounterStore.connect(options(prefix)),
  ];
  t.after(async () => {
    for (const store of gateways) await store.close();
    await dropRedisKeys(testRedisUrl, prefix);
  });
  const rate = { requests_per_minute: 6_000, burst: 20 }; // 100 a second
  const durationMs = 3_000;
  const started = performance.now();
  let allowed = 0;
  let asked = 0;
  // each gateway keeps 8 takes in flight for the whole time: far more than the rate
  const worker = async (store: RedisCounterStore) => {
    while (performance.now() - started < durationMs) {
      asked += 1;
      const result = await store.takeAll([{ key: 'account:hot', rate }], Date.now());
      if (result.allowed) allowed += 1;
    }
  };
  await Promise.all(gateways.flatMap((store) => Array.from({ length: 8 }, () => worker(store))));
  const elapsedS = (performance.now() - started) / 1000;
  const expected = rate.burst + (rate.requests_per_minute / 60) * elapsedS;
  assert.ok(
    asked > expected * 3,
    `the load asked ${asked} times, well over the ${expected.toFixed(0)} allowed`,
  );
  assert.ok(
    Math.abs(allowed - expected) <= expected * 0.05,
    `allowed ${allowed} against ${expected.toFixed(1)} expected (burst ${rate.burst} + ${elapsedS.toFixed(2)} s at 100/s)`,
  );
  for (const store of gateways) assert.equal(store.health().localTakes, 0);
});

test('a configured Redis that does not answer stops the start, naming the URL and what to do', async () => {
  const port = await freePort();
  await assert.rejects(
    openCounters({
      kind: 'redis',
      url: `redis://user:hunter2@127.0.0.1:${port}/0`,
      key_prefix: 'x:',
      timeout_ms: 50,
    }),
    (error: unknown) => {
      assert.ok(error instanceof DistillGuardError);
      assert.equal(error.code, 'engine_unavailable');
      assert.match(error.message, new RegExp(`redis://127\\.0\\.0\\.1:${port}/0`));
      assert.match(error.message, /set counters\.kind to "memory"/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    },
  );
});

test('while Redis is down each gateway limits on its own; once it is back limits are shared again', async (t) => {
  if (!privateRedisAvailable()) {
    t.skip('redis-server is not installed (Debian package redis-server)');
    return;
  }
  const redis = await startPrivateRedis();
  const episodes: string[] = [];
  const store = await RedisCounterStore.connect(
    { url: redis.url, keyPrefix: 'dg:', timeoutMs: 100 },
    (event) => episodes.push(event),
  );
  const rate = { requests_per_minute: 60, burst: 2 };
  const take = () => store.takeAll([{ key: 'account:a', rate }], Date.now());
  try {
    assert.equal((await take()).allowed, true);
    assert.equal(store.health().shared, true);
    await redis.stop('SIGKILL');
    // answered at once from this gateway's buckets: the request is not held up by the outage
    const during = await Promise.all([take(), take(), take()]);
    assert.deepEqual(
      during.map((result) => result.allowed),
      [true, true, false],
      'a fresh local bucket: its burst, then refused',
    );
    assert.equal(store.health().shared, false);
    assert.ok(store.health().localTakes >= 3);
    assert.deepEqual(episodes, ['failing']);
    await redis.start();
    const deadline = Date.now() + 10_000;
    while (!store.health().shared && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(store.health().shared, true, 'reconnected within 10 s');
    assert.deepEqual(episodes, ['failing', 'recovered']);
    const localBefore = store.health().localTakes;
    // the restarted Redis kept nothing: a full bucket there
    assert.equal((await take()).allowed, true);
    assert.equal(store.health().localTakes, localBefore, 'decided by Redis again');
  } finally {
    await store.close();
    await redis.stop();
  }
});
