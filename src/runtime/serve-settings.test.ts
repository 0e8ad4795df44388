import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayWriterThread } from './gateway-runtime.js';
import {
  detectorPriority,
  writerGuardLimits,
  writerPriority,
  writerYoungGenerationMb,
} from './serve-settings.js';

// the gateway's benchmarks were measured with these; a change here is a change of behaviour
test('the gateway runs its write thread at nice 10 under SCHED_IDLE, guarded at 1 s and 30 s, and its detector at nice 19 under SCHED_IDLE', () => {
  assert.deepEqual(writerPriority, { nice: 10, idle: true });
  assert.deepEqual(writerGuardLimits, { raiseAfterMs: 1_000, lowerAfterMs: 30_000 });
  assert.deepEqual(detectorPriority, { nice: 19, idle: true });
  assert.equal(writerYoungGenerationMb, 6);
});

test("the gateway's write-thread hook starts the thread with a 6 MB young generation", () => {
  assert.deepEqual(gatewayWriterThread(() => null).resourceLimits, { maxYoungGenerationSizeMb: 6 });
});
