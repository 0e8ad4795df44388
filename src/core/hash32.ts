// FNV-1a (Fowler, Noll, Vo), 32 bits: the one non-cryptographic string hash of the project, stable
// across processes and releases. Sketches, template keys, tracer cohorts, decoy choice and the
// reference model's context index all hash with it; variants pass a basis or a case fold.
import { mix32 } from './mix32.js';

/** FNV-1a's 32-bit offset basis. */
export const fnvOffsetBasis = 0x811c9dc5;
/** FNV-1a's 32-bit prime. */
export const fnvPrime = 0x01000193;

/** One FNV-1a step: `hash` with the unit `code` mixed in (signed 32 bits; `>>> 0` for unsigned). */
export function fnv1aStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, fnvPrime);
}

/**
 * FNV-1a of the UTF-16 units of text[start, end), unsigned. `fold` is OR-ed into every unit before
 * it is mixed in: 32 folds ASCII letters to lower case (and sets bit 5 of every other unit).
 * @example fnv1a('abc') === 0x1a47e90b
 */
export function fnv1a(
  text: string,
  start = 0,
  end = text.length,
  basis = fnvOffsetBasis,
  fold = 0,
): number {
  let hash = basis;
  for (let index = start; index < end; index += 1)
    hash = Math.imul(hash ^ (text.charCodeAt(index) | fold), fnvPrime);
  return hash >>> 0;
}

/** 32-bit hash of `text` (or of text[start, end)): FNV-1a with the basis XOR `seed`, then mix32. */
export function hash32(text: string, seed = 0, start = 0, end = text.length): number {
  return mix32(fnv1a(text, start, end, (fnvOffsetBasis ^ seed) >>> 0));
}
