import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretLookupCache } from './secret-lookup-cache.js';

test('a flood of unknown secrets does not evict known ones (review L9)', () => {
  const cache = new SecretLookupCache<string>({ known: 3, unknown: 4, ttlMs: 5_000 });
  cache.set('real-1', 'key-1', 0);
  cache.set('real-2', 'key-2', 0);
  for (let index = 0; index < 10_000; index += 1) cache.set(`random-${index}`, null, 0);
  assert.deepEqual(cache.size, { known: 2, unknown: 4 });
  assert.equal(cache.get('real-1', 1), 'key-1');
  assert.equal(cache.get('real-2', 1), 'key-2');
  assert.equal(cache.get('random-9999', 1), null, 'recent unknown secrets are remembered');
  assert.equal(
    cache.get('random-0', 1),
    undefined,
    'old ones are forgotten, not kept without bound',
  );
});

test('known secrets leave in least-recently-used order, and every entry expires', () => {
  const cache = new SecretLookupCache<string>({ known: 2, unknown: 2, ttlMs: 100 });
  cache.set('a', 'A', 0);
  cache.set('b', 'B', 0);
  assert.equal(cache.get('a', 10), 'A'); // a is now the most recently used
  cache.set('c', 'C', 10);
  assert.equal(cache.get('b', 20), undefined, 'b was least recently used');
  assert.equal(cache.get('a', 20), 'A');
  assert.equal(cache.get('a', 200), undefined, 'expired');
  cache.set('x', null, 0);
  assert.equal(cache.get('x', 200), undefined);
  cache.set('d', 'D', 0);
  cache.clear();
  assert.equal(cache.get('d', 1), undefined);
});
