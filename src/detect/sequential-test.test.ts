import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequentialTest } from './sequential-test.js';

test('the sequential test alarms within a handful of harvest-shaped requests', () => {
  const sequential = new SequentialTest();
  for (let request = 0; request < 10; request += 1) sequential.observe(request % 2 === 0);
  assert.ok(sequential.alarmed);
  assert.ok(sequential.alarmAfter <= 7, `alarmed after ${sequential.alarmAfter}`);
});

test('benign traffic at the benign rate never alarms, and a clean start does not shield later harvesting', () => {
  const sequential = new SequentialTest();
  for (let request = 0; request < 20_000; request += 1) sequential.observe(request % 50 === 0);
  assert.equal(sequential.alarmed, false);
  for (let request = 0; request < 20; request += 1) sequential.observe(request % 2 === 0);
  assert.equal(sequential.alarmed, true, 'CUSUM restarts at zero instead of accumulating credit');
});
