import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBackoff } from './restart-backoff.js';

test('restart delays double from 0.5 s to 30 s, and start over after a minute healthy', () => {
  const backoff = new RestartBackoff();
  const delays = Array.from({ length: 9 }, () => backoff.next(0));
  assert.deepEqual(delays, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  assert.equal(backoff.next(59_000), 30_000, 'healthy for less than a minute: still backing off');
  assert.equal(backoff.next(60_000), 500);
  assert.equal(backoff.next(0), 1_000);
});
