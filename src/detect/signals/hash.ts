// Fast non-cryptographic string hashing for sketches and keys (FNV-1a with a murmur finaliser).

function finalize(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** 32-bit hash of `text` (or of text[start, end)). */
export function hash32(text: string, seed = 0, start = 0, end = text.length): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = start; index < end; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return finalize(hash);
}

/** Mixes a 32-bit integer (for hashing numbers, e.g. (bucket, key) pairs). */
export function mix32(value: number): number {
  return finalize(value | 0);
}
