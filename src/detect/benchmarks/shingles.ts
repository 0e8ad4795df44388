// Word shingles under a key: the form in which benchmark items are indexed and requests probed.
// Only keyed 32-bit hashes of six-word windows are kept, never the text.
import { fnv1aStep, fnvOffsetBasis } from '../../core/index.js';

export const shingleWords = 6;

/** FNV-1a of each word (a run of ASCII letters and digits, case folded) in the first `limit` chars. */
function wordHashes(text: string, limit: number): number[] {
  const hashes: number[] = [];
  let hash = fnvOffsetBasis;
  let inWord = false;
  const end = Math.min(text.length, limit);
  for (let index = 0; index <= end; index += 1) {
    let code = index < end ? text.charCodeAt(index) : 32;
    if (code >= 65 && code <= 90) code += 32;
    const alnum = (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
    if (alnum) {
      hash = fnv1aStep(hash, code);
      inWord = true;
    } else if (inWord) {
      hashes.push(hash >>> 0);
      hash = fnvOffsetBasis;
      inWord = false;
    }
  }
  return hashes;
}

function windowHash(words: number[], start: number, key: number): number {
  let hash = key >>> 0;
  for (let offset = 0; offset < shingleWords; offset += 1) {
    hash = Math.imul(hash ^ words[start + offset], 0x5bd1e995);
    hash ^= hash >>> 15;
  }
  // 30 bits: small integers stay unboxed in V8, which keeps Map lookups fast
  return hash >>> 2;
}

/** Keyed hashes of the six-word windows of `text` (every `stride`-th window, first `limit` chars). */
export function shingles(
  text: string,
  key: number,
  stride = 1,
  limit = Number.POSITIVE_INFINITY,
): number[] {
  const words = wordHashes(text, limit);
  const result: number[] = [];
  for (let start = 0; start + shingleWords <= words.length; start += stride)
    result.push(windowHash(words, start, key));
  return result;
}

/**
 * Probe shingles of a prompt: all of a short one, the last `edge` characters of a long one (harnesses
 * put the item under test last: after the few-shot examples, before "Answer:"), every `stride`-th
 * window. Items are indexed with every window, so an item of n words gives about (n - 5) / stride hits.
 */
export function edgeShingles(text: string, key: number, edge = 900, stride = 2): number[] {
  return shingles(text.length <= edge ? text : text.slice(-edge), key, stride);
}
