import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mix32 } from '../../core/index.js';
import { BottomK, jaccard } from './bottom-k.js';
import { DirectMappedTable } from './direct-mapped-table.js';
import { HyperLogLog } from './hyperloglog.js';
import { SpaceSaving } from './space-saving.js';

test('HyperLogLog estimates distinct counts within a few percent, small and large', () => {
  for (const [distinct, tolerance] of [
    [50, 0.1],
    [5000, 0.15],
    [200_000, 0.15],
  ] as const) {
    const sketch = new HyperLogLog(8);
    for (let repeat = 0; repeat < 3; repeat += 1)
      for (let item = 0; item < distinct; item += 1) sketch.add(mix32(item));
    const error = Math.abs(sketch.estimate() - distinct) / distinct;
    assert.ok(
      error < tolerance,
      `${distinct} distinct estimated as ${sketch.estimate().toFixed(0)}`,
    );
  }
});

test('a HyperLogLog that saw nothing estimates 0, as one with all-zero registers does', () => {
  assert.equal(new HyperLogLog(8).estimate(), 0);
  const one = new HyperLogLog(8);
  one.add(mix32(1));
  assert.ok(
    one.estimate() > 0.9 && one.estimate() < 1.1,
    `one item estimated as ${one.estimate()}`,
  );
});

test('a direct-mapped table reads back exactly what the typed array it stands for would, sparse and dense', () => {
  for (const [kind, size, array] of [
    ['uint32', 512, new Uint32Array(512)],
    ['float64', 256, new Float64Array(256)],
  ] as const) {
    const table = new DirectMappedTable(size, kind);
    let sawSparse = false;
    for (let step = 0; step < 3000; step += 1) {
      const slot = mix32(step * 7919) % size;
      // uint32 values wrap (negative, above 2^32), float64 values are large integers; some zeros empty a slot
      const value =
        step % 11 === 0
          ? 0
          : kind === 'uint32'
            ? step % 5 === 0
              ? -step
              : mix32(step) + (step % 3) * 2 ** 32
            : mix32(step) * 2 ** 20 + step;
      table.set(slot, value);
      array[slot] = value;
      const probe = mix32(step) % size;
      assert.equal(table.get(probe), array[probe], `${kind} slot ${probe} after ${step} writes`);
      assert.equal(table.get(slot), array[slot]);
      if (table.isSparse) sawSparse = true;
    }
    assert.ok(sawSparse, `${kind}: the table starts sparse`);
    assert.equal(table.isSparse, false, `${kind}: the table turns dense once many slots are held`);
    for (let slot = 0; slot < size; slot += 1) assert.equal(table.get(slot), array[slot]);
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
