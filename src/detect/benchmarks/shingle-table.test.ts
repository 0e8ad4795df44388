// The typed-array table must behave exactly like a Map on the same operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShingleTable } from './shingle-table.js';

test('ShingleTable agrees with a Map, through growth, for keys including 0 and 2^32-1', () => {
  const table = new ShingleTable(4);
  const reference = new Map<number, number>();
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  const keys = [0, 0xffffffff, 1, 2, 3];
  for (let index = 0; index < 20_000; index += 1) keys.push(next() % 5000 === 0 ? 0 : next());
  keys.forEach((key, index) => {
    const value = index % 7 === 0 ? -1 : index;
    table.set(key, value);
    reference.set(key >>> 0, value);
  });
  assert.equal(table.size, reference.size);
  for (const [key, value] of reference) assert.equal(table.get(key), value);
  assert.equal(table.get(123), reference.get(123));
  assert.deepEqual(new Map(table.entries()), reference);
});
