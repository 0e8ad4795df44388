// MurmurHash3's 32-bit finaliser (Appleby 2011): full avalanche of a 32-bit word. Shared by the
// detection sketches and the watermark's keyed hash.

/** Mixes a 32-bit integer into a well-spread unsigned 32-bit hash. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
