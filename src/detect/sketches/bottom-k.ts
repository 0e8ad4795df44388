// Bottom-k MinHash sketch of a set (Cohen and Kaplan 2007): keeps the k smallest hashes, from which
// the Jaccard similarity of two sets is estimated. Fixed memory whatever the set's size.

export class BottomK {
  readonly values: number[] = [];
  private readonly k: number;

  constructor(k = 64) {
    this.k = k;
  }

  add(hash32: number): void {
    const values = this.values;
    if (values.length === this.k && hash32 >= values[values.length - 1]) return;
    let low = 0;
    let high = values.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (values[middle] < hash32) low = middle + 1;
      else high = middle;
    }
    if (values[low] === hash32) return;
    values.splice(low, 0, hash32);
    if (values.length > this.k) values.pop();
  }

  get size(): number {
    return this.values.length;
  }
}

/** Estimated Jaccard similarity of the sets behind two sketches of the same k. */
export function jaccard(first: BottomK, second: BottomK, k = 64): number {
  const a = first.values;
  const b = second.values;
  if (a.length === 0 || b.length === 0) return 0;
  // the k smallest of the union, and how many of them are in both
  let i = 0;
  let j = 0;
  let taken = 0;
  let shared = 0;
  while (taken < k && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) i += 1;
    else if (i >= a.length || b[j] < a[i]) j += 1;
    else {
      shared += 1;
      i += 1;
      j += 1;
    }
    taken += 1;
  }
  return taken === 0 ? 0 : shared / taken;
}
