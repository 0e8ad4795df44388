// Open-addressing hash index from a context (a few vocabulary indexes) to its row in an OrderTable,
// built when a model loads so that a lookup is a hash and one or two comparisons.
import { fnv1aStep, fnvOffsetBasis } from '../core/index.js';
import type { OrderTable } from './ngram-tables.js';

function hashTokens(tokens: ArrayLike<number>, start: number, length: number): number {
  let hash = fnvOffsetBasis;
  for (let index = 0; index < length; index += 1) {
    hash = fnv1aStep(hash, tokens[start + index]);
    hash ^= hash >>> 15;
  }
  return Math.imul(hash ^ (hash >>> 13), 0x5bd1e995) >>> 0;
}

export class ContextIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(private readonly table: OrderTable) {
    const contexts = table.offsets.length - 1;
    let size = 16;
    while (size < contexts * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    const length = table.contextLength;
    for (let row = 0; row < contexts; row += 1) {
      let slot = hashTokens(table.contextTokens, row * length, length) & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = row;
    }
  }

  /** Row of the context formed by `tokens[end - contextLength .. end - 1]`, or -1 when unseen. */
  find(tokens: ArrayLike<number>, end: number): number {
    const length = this.table.contextLength;
    const start = end - length;
    if (start < 0) return -1;
    for (let index = start; index < end; index += 1) if (tokens[index] < 0) return -1;
    const keys = this.table.contextTokens;
    let slot = hashTokens(tokens, start, length) & this.mask;
    for (;;) {
      const row = this.slots[slot];
      if (row === -1) return -1;
      let same = true;
      const base = row * length;
      for (let index = 0; index < length; index += 1) {
        if (keys[base + index] !== tokens[start + index]) {
          same = false;
          break;
        }
      }
      if (same) return row;
      slot = (slot + 1) & this.mask;
    }
  }
}
