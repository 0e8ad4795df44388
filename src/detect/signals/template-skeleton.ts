// Template keys of a prompt. Harvesting tools, SaaS products and eval harnesses wrap new content
// in fixed text that sits at the start and/or the end of the message, so a prompt's skeleton is
// keyed by its normalised head and tail (case folded, digit runs and whitespace collapsed). Two
// requests share a template when a key matches while the full text differs.
import { fnv1aStep, fnvOffsetBasis } from '../../core/index.js';

/** Normalised characters hashed at each edge. */
export const edgeLength = 32;
/** A key is only taken when the message is this much longer than the edge (so content remains). */
export const minimumContentLength = 24;

export interface TemplateKeys {
  /** Key of the head, or null when the message is too short to be template plus content. */
  head: number | null;
  /** Key of the tail, or null likewise. */
  tail: number | null;
  /** Hash of the exact text: equal texts are repeats, not new content. */
  exact: number;
}

const space = 32;
const zero = 48;

/** Hash of the first (or last) `length` normalised characters of `text`. */
function edgeHash(text: string, fromEnd: boolean): number {
  let hash = fromEnd ? 0x9e3779b9 : fnvOffsetBasis;
  let taken = 0;
  let previous = space;
  const step = fromEnd ? -1 : 1;
  for (
    let index = fromEnd ? text.length - 1 : 0;
    index >= 0 && index < text.length && taken < edgeLength;
    index += step
  ) {
    let code = text.charCodeAt(index);
    if (code >= 65 && code <= 90) code += 32;
    else if (code >= 48 && code <= 57) code = zero;
    else if (code === 9 || code === 10 || code === 13) code = space;
    if (code === previous && (code === space || code === zero)) continue;
    previous = code;
    hash = fnv1aStep(hash, code);
    taken += 1;
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return (hash >>> 0) * 2 + (fromEnd ? 1 : 0);
}

/** Characters hashed for the exact-text key: the first 1,024 and last 256 (with the length, this separates real texts). */
const exactHead = 1024;
const exactTail = 256;

function exactHash(text: string): number {
  let a = fnvOffsetBasis ^ text.length;
  let b = 0x9747b28c;
  const headEnd = Math.min(text.length, exactHead);
  const tailStart = Math.max(headEnd, text.length - exactTail);
  for (let index = 0; index < headEnd; index += 1) {
    const code = text.charCodeAt(index);
    a = fnv1aStep(a, code);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  for (let index = tailStart; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    a = fnv1aStep(a, code);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff);
}

export function templateKeys(text: string): TemplateKeys {
  const long = text.length >= edgeLength + minimumContentLength;
  return {
    head: long ? edgeHash(text, false) : null,
    tail: long ? edgeHash(text, true) : null,
    exact: exactHash(text),
  };
}
