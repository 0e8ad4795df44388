// Reference-compatible KGW green lists: what jwkirchenbauer/lm-watermarking computes on CPU for
// seeding_scheme "simple_1" (LeftHash, h = 1), so that our detector can read text marked there.
// Seed = hash_key (15485863) * previous token id; green list = first floor(gamma * V) entries of
// torch.randperm(V, generator) (Kirchenbauer et al. 2023, Algorithm 2).
import { Mt19937 } from './mt19937.js';

/** The reference implementation's fixed hash key (a prime). */
export const referenceHashKey = 15485863;

/**
 * torch.randperm(n, generator) on CPU for n < 2^32 / 20 (aten/src/ATen/native/TensorFactories.cpp,
 * randperm_cpu): start from 0..n-1; for i = 0..n-2, z = generator.random() % (n - i) (one 32-bit
 * mt19937 output), swap r[i] and r[i + z].
 */
export function torchRandperm(n: number, generator: Mt19937): Int32Array {
  const permutation = new Int32Array(n);
  for (let i = 0; i < n; i += 1) permutation[i] = i;
  for (let i = 0; i < n - 1; i += 1) {
    const z = generator.nextUint32() % (n - i);
    const saved = permutation[i];
    permutation[i] = permutation[i + z];
    permutation[i + z] = saved;
  }
  return permutation;
}

/**
 * The green list the reference implementation uses after `previousToken`, in its order.
 * @example referenceKgwGreenList(42, 50257, 0.25) // 12564 token ids
 */
export function referenceKgwGreenList(
  previousToken: number,
  vocabularySize: number,
  gamma: number,
): Int32Array {
  const generator = new Mt19937(referenceHashKey * previousToken);
  // Python's int(vocab_size * gamma) truncates toward zero.
  const size = Math.trunc(vocabularySize * gamma);
  return torchRandperm(vocabularySize, generator).subarray(0, size);
}

/** Membership bitmaps of reference green lists, one per previous token, built on first use. */
export class ReferenceGreenLists {
  private readonly cache = new Map<number, Uint8Array>();

  constructor(
    readonly vocabularySize: number,
    readonly gamma: number,
    private readonly capacity = 4096,
  ) {}

  isGreen(previousToken: number, token: number): boolean {
    let membership = this.cache.get(previousToken);
    if (!membership) {
      membership = new Uint8Array(this.vocabularySize);
      for (const green of referenceKgwGreenList(previousToken, this.vocabularySize, this.gamma))
        membership[green] = 1;
      if (this.cache.size >= this.capacity) this.cache.clear();
      this.cache.set(previousToken, membership);
    }
    return token >= 0 && token < this.vocabularySize && membership[token] === 1;
  }
}
