import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mix32 } from '../signals/hash.js';
import { BottomK, jaccard } from './bottom-k.js';
import { HyperLogLog } from './hyperloglog.js';
import { SpaceSaving } from './space-saving.js';

test('HyperLogLog estimates distinct counts within a few percent, small and large', () => {
  for (const [distinct, tolerance] of [[50, 0.1], [5000, 0.15], [200_000, 0.15]] as const) {
    const sketch = new HyperLogLog(8);
    for (let repeat = 0; repeat < 3; repeat += 1) for (let item = 0; item < distinct; item += 1) sketch.add(mix32(item));
    const error = Math.abs(sketch.estimate() - distinct) / distinct;
    assert.ok(error < tolerance, `${distinct} distinct estimated as ${sketch.estimate().toFixed(0)}`);
  }
});

test('Space-Saving keeps the heavy hitters of a stream flooded with one-off keys', () => {
  const sketch = new SpaceSaving(16);
  let oneOff = 1_000_000;
  for (let step = 0; step < 20_000; step += 1) {
    sketch.add(step % 4 === 0 ? 7 : step % 4 === 1 ? 9 : oneOff++);
  }
  const frequent = sketch.frequent(1000).map((entry) => entry.key);
  assert.deepEqual(frequent.slice(0, 2).sort(), [7, 9]);
  assert.ok((sketch.get(7)?.count ?? 0) >= 5000);
});

test('bottom-k sketches estimate the Jaccard similarity of two sets', () => {
  const a = new BottomK(64);
  const b = new BottomK(64);
  for (let item = 0; item < 3000; item += 1) a.add(mix32(item));
  for (let item = 1000; item < 4000; item += 1) b.add(mix32(item));
  // true Jaccard: 2000 shared / 4000 in the union = 0.5
  const estimate = jaccard(a, b);
  assert.ok(Math.abs(estimate - 0.5) < 0.15, `estimated ${estimate}`);
  const disjoint = new BottomK(64);
  for (let item = 10_000; item < 11_000; item += 1) disjoint.add(mix32(item));
  assert.equal(jaccard(a, disjoint), 0);
});
