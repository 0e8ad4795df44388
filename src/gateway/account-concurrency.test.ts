// The per-account in-flight cap: admits up to the limit, refuses past it until one leaves, and
// keeps its map bounded by dropping idle accounts in one pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountConcurrency } from './account-concurrency.js';

test('admits up to the limit per account, refuses past it, admits again after a leave', () => {
  const concurrency = new AccountConcurrency(2);
  assert.equal(concurrency.enter('a'), true);
  assert.equal(concurrency.enter('a'), true);
  assert.equal(concurrency.enter('a'), false);
  assert.equal(concurrency.enter('b'), true, 'other accounts are not affected');
  concurrency.leave('a');
  assert.equal(concurrency.of('a'), 1);
  assert.equal(concurrency.enter('a'), true);
  concurrency.leave('x'); // never entered: nothing happens
  assert.equal(concurrency.of('x'), 0);
});

test('idle accounts are dropped once the map reaches its bound; accounts in flight are kept', () => {
  const concurrency = new AccountConcurrency(4, 100);
  concurrency.enter('busy');
  for (let index = 0; index < 99; index += 1) {
    concurrency.enter(`idle-${index}`);
    concurrency.leave(`idle-${index}`);
  }
  assert.equal(concurrency.entries, 100);
  concurrency.enter('new');
  assert.equal(concurrency.entries, 2);
  assert.equal(concurrency.of('busy'), 1);
  assert.equal(concurrency.of('new'), 1);
});
