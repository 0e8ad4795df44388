// Fast non-cryptographic string hashing for sketches and keys (FNV-1a with a murmur finaliser).
import { mix32 } from '../../core/index.js';

export { mix32 };

/** 32-bit hash of `text` (or of text[start, end)). */
export function hash32(text: string, seed = 0, start = 0, end = text.length): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = start; index < end; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

