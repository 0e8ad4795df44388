import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WriterPriorityGuard } from './writer-priority.js';

test('the guard raises the write thread once a write has waited past the limit, and lowers it after the backlog stays clear', () => {
  const guard = new WriterPriorityGuard({ raiseAfterMs: 1_000, lowerAfterMs: 5_000 });
  assert.equal(guard.check(0, 0), null);
  assert.equal(
    guard.check(999, 250),
    null,
    'a write younger than the limit leaves the thread idle',
  );
  assert.equal(guard.check(1_000, 500), 'raise');
  assert.equal(guard.isRaised, true);
  assert.equal(guard.check(1_500, 750), null, 'raised once, not again');
  // clear (no write older than a tenth of the limit) for less than lowerAfterMs: stays raised
  assert.equal(guard.check(50, 1_000), null);
  assert.equal(guard.check(0, 5_999), null);
  // a write waiting again resets the clear stretch
  assert.equal(guard.check(400, 6_000), null);
  assert.equal(guard.check(0, 6_250), null);
  assert.equal(guard.check(0, 11_249), null);
  assert.equal(guard.check(0, 11_250), 'lower');
  assert.equal(guard.isRaised, false);
  assert.equal(guard.check(2_000, 11_500), 'raise', 'it can be raised again');
});

test('a change that could not be made leaves the guard where the thread is', () => {
  const guard = new WriterPriorityGuard({ raiseAfterMs: 100, lowerAfterMs: 100 });
  assert.equal(guard.check(100, 0), 'raise');
  guard.failed('raise');
  assert.equal(guard.isRaised, false);
  assert.equal(guard.check(100, 1), 'raise');
  assert.equal(guard.check(0, 2), null);
  assert.equal(guard.check(0, 102), 'lower');
  guard.failed('lower');
  assert.equal(guard.isRaised, true);
});
