import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplaySchedule } from './schedule.js';

test('the schedule keeps relative timing divided by speed, anchored on the first record', () => {
  let clock = 1000;
  const schedule = new ReplaySchedule(10, () => clock);
  const base = Date.parse('2026-02-02T00:00:00Z');
  assert.equal(schedule.delayFor(base), 0);
  assert.equal(
    schedule.delayFor(base + 60_000),
    6000,
    'a minute later in the log is 6 s later at speed 10',
  );
  clock += 2000;
  assert.equal(schedule.delayFor(base + 60_000), 4000);
  clock += 10_000;
  assert.equal(schedule.delayFor(base + 60_000), 0, 'a record already due goes at once');
  assert.equal(schedule.maxLagMs(), 6000, 'and how far behind it went is kept');
  assert.equal(schedule.delayFor(base - 5000), 0, 'an earlier record out of order goes at once');
});

test('a very large speed never waits', () => {
  const schedule = new ReplaySchedule(1e12, () => 0);
  const base = Date.parse('2026-02-02T00:00:00Z');
  schedule.delayFor(base);
  assert.ok(schedule.delayFor(base + 7 * 86_400_000) < 1);
});
