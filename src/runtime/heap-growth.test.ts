import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapGrowthFromEnv } from './heap-growth.js';
import { serveHeapCheckEveryMs, serveHeapGrowth } from './serve-settings.js';

test('the environment sets the limits of serve, 0 turns one off, and a bad value names its variable', () => {
  assert.deepEqual(heapGrowthFromEnv({}), { ...serveHeapGrowth, everyMs: serveHeapCheckEveryMs });
  assert.equal(
    heapGrowthFromEnv({ DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT: '0' })
      .oldGenerationGrowthPercent,
    0,
  );
  assert.equal(heapGrowthFromEnv({ DISTILLGUARD_YOUNG_GENERATION_MB: '12' }).youngGenerationMb, 12);
  assert.throws(
    () => heapGrowthFromEnv({ DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT: 'fifty' }),
    /DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT must be a percentage .*'fifty'/,
  );
  assert.throws(
    () => heapGrowthFromEnv({ DISTILLGUARD_YOUNG_GENERATION_MB: '-1' }),
    /DISTILLGUARD_YOUNG_GENERATION_MB must be a size in megabytes/,
  );
});

test("serve's heap limits are a 16 MB young generation and 50% old-generation growth, checked every 250 ms", () => {
  assert.deepEqual(heapGrowthFromEnv({}), {
    youngGenerationMb: 16,
    oldGenerationGrowthPercent: 50,
    everyMs: 250,
  });
});
