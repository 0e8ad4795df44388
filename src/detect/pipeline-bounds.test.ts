// The detector's state stays bounded whatever clients send: long names are cut, a model the
// gateway does not serve (404) is not indexed, each account keeps at most 64 models, and past the
// account and address bounds the longest-idle are evicted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chat } from '../test-support/interactions.js';
import { BenchmarkIndex } from './benchmarks/benchmark-index.js';
import { DetectionPipeline } from './pipeline.js';
import { maxNameLength } from './signals/request-signals.js';

const benchmarks = BenchmarkIndex.builtIn();
const start = Date.parse('2026-02-02T00:00:00Z');

test("model names past the contract's length are cut; unserved models (404) feed no model statistics; 64 models per account at most", () => {
  const pipeline = new DetectionPipeline(benchmarks);
  const huge = 'm'.repeat(1_000_000);
  pipeline.observe({ ...chat({ account: 'a', ts: start, text: 'hi' }), model: huge }, start);
  const unserved = { ...chat({ account: 'a', ts: start + 1, text: 'hi' }), model: 'no-such-model' };
  pipeline.observe({ ...unserved, response: { status: 404, text: '' } }, start + 1);
  for (let index = 0; index < 100; index += 1)
    pipeline.observe(
      { ...chat({ account: 'a', ts: start + 2 + index, text: 'hi' }), model: `model-${index}` },
      start + 2 + index,
    );
  const { modelFirstSeen, profiles } = pipeline.observed;
  assert.ok([...modelFirstSeen.keys()].every((model) => model.length <= maxNameLength));
  assert.ok(modelFirstSeen.has(huge.slice(0, maxNameLength)));
  assert.ok(!modelFirstSeen.has('no-such-model'));
  const models = (profiles.get('a') as { models: Map<string, number> }).models;
  assert.equal(models.size, 64);
  assert.ok(!models.has('no-such-model'));
});

test('past maxAccounts the longest-idle accounts are evicted; past maxAddresses the longest-idle addresses', () => {
  const pipeline = new DetectionPipeline(benchmarks, { maxAccounts: 10, maxAddresses: 10 });
  for (let index = 0; index < 10; index += 1)
    pipeline.observe(
      chat({
        account: `acct-${index}`,
        ts: start + index * 1_000,
        ip: `10.0.0.${index}`,
        text: 'hi',
      }),
      start + index * 1_000,
    );
  // acct-0 and its address stay active; the next new ones push out the longest idle (acct-1, 10.0.0.1)
  pipeline.observe(
    chat({ account: 'acct-0', ts: start + 20_000, ip: '10.0.0.0', text: 'again' }),
    start + 20_000,
  );
  pipeline.observe(
    chat({ account: 'acct-new', ts: start + 21_000, ip: '10.9.9.9', text: 'hi' }),
    start + 21_000,
  );
  const { profiles, addressAccounts } = pipeline.observed;
  assert.equal(profiles.size, 10);
  assert.ok(profiles.has('acct-0') && profiles.has('acct-new'));
  assert.ok(!profiles.has('acct-1'));
  assert.equal(pipeline.evictedAccounts, 1);
  assert.equal(addressAccounts.size, 10);
});
