// MinHash fingerprint of a prompt's template skeleton: the instruction text at its head and tail,
// with numbers, quoted strings, code and mid-sentence names masked, as a set of word pairs
// (Broder 1997; one-permutation hashing with densification, Shrivastava 2017). Two prompts built
// from near-identical templates (a word changed, a phrase added) share most pairs, so their
// signatures agree in most bins; banded, they meet in a shared key even when their exact edge
// keys differ. Used to link accounts that run variants of one template.
import { fnv1a, fnvOffsetBasis, mix32 } from '../../core/index.js';

/** Characters of each edge that make the skeleton. */
export const skeletonEdge = 200;
const bins = 16;
const rowsPerBand = 2;

/** FNV-1a of text[start, end) with every unit OR 32 (ASCII letters case folded). */
function wordHash(text: string, start: number, end: number): number {
  return fnv1a(text, start, end, fnvOffsetBasis, 32);
}

const numberToken = 0x2323;
const nameToken = 0x4e4e;

/** Masked word hashes of `text`: numbers and mid-sentence capitalised words become placeholders; quotes and code are left out. */
export function skeletonWords(text: string): number[] {
  const words: number[] = [];
  let inQuote = false;
  let inCode = false;
  let sentenceStart = true;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 96 && text.startsWith('```', index)) {
      inCode = !inCode;
      index += 3;
      continue;
    }
    if (code === 34) inQuote = !inQuote;
    const digit = code >= 48 && code <= 57;
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (!digit && !letter) {
      if (code === 46 || code === 63 || code === 33 || code === 10 || code === 58)
        sentenceStart = true;
      index += 1;
      continue;
    }
    let end = index + 1;
    while (end < text.length) {
      const next = text.charCodeAt(end);
      if (!(
        (next >= 48 && next <= 57) ||
        (next >= 65 && next <= 90) ||
        (next >= 97 && next <= 122)
      ))
        break;
      end += 1;
    }
    if (!inQuote && !inCode) {
      if (digit) words.push(numberToken);
      else if (code <= 90 && !sentenceStart) words.push(nameToken);
      else words.push(wordHash(text, index, end));
    }
    sentenceStart = false;
    index = end;
  }
  return words;
}

/** Signature of the skeleton of a prompt given its head and tail text; null when too short to have one. */
export function skeletonSignature(head: string, tail: string): Uint32Array | null {
  const words = [
    ...skeletonWords(head.slice(0, skeletonEdge)),
    ...skeletonWords(tail.slice(-skeletonEdge)),
  ];
  if (words.length < 6) return null;
  const signature = new Uint32Array(bins).fill(0xffffffff);
  const filled = new Uint8Array(bins);
  for (let index = 0; index + 1 < words.length; index += 1) {
    const hash = mix32(Math.imul(words[index], 31) ^ words[index + 1]);
    const bin = hash % bins;
    const value = mix32(hash ^ 0x9e3779b9);
    if (value <= signature[bin]) {
      signature[bin] = value;
      filled[bin] = 1;
    }
  }
  // densification: an empty bin borrows the next filled one, so sparse skeletons still compare
  for (let bin = 0; bin < bins; bin += 1) {
    if (filled[bin]) continue;
    for (let step = 1; step < bins; step += 1) {
      const donor = (bin + step) % bins;
      if (filled[donor]) {
        signature[bin] = mix32(signature[donor] + step);
        break;
      }
    }
  }
  return signature;
}

/** Locality-sensitive keys: one per band of two bins, as small integers (band number in the low bits). */
export function skeletonBands(signature: Uint32Array): number[] {
  const keys: number[] = [];
  for (let band = 0; band < bins / rowsPerBand; band += 1) {
    const hash = mix32(Math.imul(signature[band * 2], 0x9e3779b1) ^ signature[band * 2 + 1]);
    keys.push(((hash >>> 4) << 3) | band);
  }
  return keys;
}

/** Share of agreeing bins: an estimate of the Jaccard similarity of the two skeletons. */
export function signatureSimilarity(first: Uint32Array, second: Uint32Array): number {
  let agree = 0;
  for (let bin = 0; bin < bins; bin += 1) if (first[bin] === second[bin]) agree += 1;
  return agree / bins;
}
