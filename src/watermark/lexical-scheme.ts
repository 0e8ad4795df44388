// Lexical watermark for upstreams we do not sample: each word that has synonyms is replaced by the
// keyed choice within its synonym group given the previous word (CATER, He et al. 2022, §3: a
// conditional, keyed word choice), streamed with at most one partial word held back; detection
// counts keyed choices and tests the count exactly against the null rate 1/|group| per word.
import { KeyedHash } from './keyed-hash.js';
import { keySecretBytes, type WatermarkKey } from './keys.js';
import { normalizeForDetection } from './normalize-text.js';
import { logPoissonBinomialUpperTail } from './poisson-binomial.js';
import { loadSynonymIndex, type SynonymIndex } from './synonym-index.js';
import type { WatermarkVerdict } from './detect-watermark.js';

/**
 * A word (letters, digits, apostrophes, hyphens; only purely alphabetic words are swapped) or a run
 * of backticks, which opens or closes code (``` fences, `inline`): words in code are never swapped.
 */
const piecePattern = /`+|[\p{L}\p{N}'’-]+/gu;
const heldCharacter = /[\p{L}\p{N}'’`-]$/u;
const twoToThe32 = 4294967296;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

export const defaultLexicalMinScoredWords = 10;

export interface LexicalDetection {
  key_id: string;
  scheme: 'lexical';
  /** Distinct (previous word, synonym group) pairs scored. */
  scored_tokens: number;
  /** How many of them carry the keyed choice. */
  statistic: number;
  /** Expected hits under the null (sum of 1/|group|). */
  expected: number;
  log10_p_value: number;
  verdict: WatermarkVerdict;
}

/** Whether a piece lies in code: backtick runs of 3+ toggle a fence, single runs inline code. */
class CodeState {
  private fence = false;
  private inline = false;
  /** True for backtick runs and for words inside code. */
  inCode(piece: string): boolean {
    if (piece[0] !== '`') return this.fence || this.inline;
    if (piece.length >= 3) this.fence = !this.fence;
    else if (!this.fence) this.inline = !this.inline;
    return true;
  }
}

/** The keyed choice rule shared by the transform and the detector. */
export class LexicalChooser {
  private readonly hash: KeyedHash;
  constructor(
    readonly key: WatermarkKey,
    readonly index: SynonymIndex = loadSynonymIndex(),
  ) {
    this.hash = new KeyedHash(keySecretBytes(key), 'lexical');
  }

  /** The group member chosen after `previousWord` (lowercase); uniform over the group for a random key. */
  choose(previousWord: string, group: number): string {
    const members = this.index.groups[group];
    const codes = new Array<number>(previousWord.length);
    for (let index = 0; index < previousWord.length; index += 1)
      codes[index] = previousWord.charCodeAt(index);
    const value = this.hash.tokenValue(this.hash.windowSeed(codes, 0, codes.length), group);
    return members[Math.floor((value * members.length) / twoToThe32)];
  }

  /** The word to write in place of `word` after `previousWord` (lowercase), capitalisation kept. */
  replace(word: string, previousWord: string): string {
    const lower = word.toLowerCase();
    const titled = /^\p{Lu}\p{Ll}+$/u.test(word);
    if (!(titled || /^\p{Ll}+$/u.test(word))) return word;
    const group = this.index.groupOf(lower);
    if (group === undefined) return word;
    const chosen = this.choose(previousWord, group);
    return titled ? chosen[0].toUpperCase() + chosen.slice(1) : chosen;
  }
}

/**
 * Marks text as it streams: push each delta, write what comes back, then write `end()`. Only a
 * trailing partial word is held back, so any split of the same text gives the same output.
 */
export class LexicalTransform {
  private pending = '';
  private previousWord = '';
  constructor(private readonly chooser: LexicalChooser) {}

  push(delta: string): string {
    const text = this.pending + delta;
    // hold back a trailing word or backtick run: the next delta may continue it
    let cut = text.length;
    if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1; // half a character: wait for the rest
    while (cut > 0) {
      const width = cut >= 2 && isHighSurrogate(text.charCodeAt(cut - 2)) ? 2 : 1;
      if (!heldCharacter.test(text.slice(cut - width, cut))) break;
      cut -= width;
    }
    this.pending = text.slice(cut);
    return this.mark(text.slice(0, cut));
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    return this.mark(rest);
  }

  private readonly code = new CodeState();

  private mark(text: string): string {
    return text.replace(piecePattern, (piece) => {
      if (this.code.inCode(piece)) return piece;
      const written = this.chooser.replace(piece, this.previousWord);
      this.previousWord = written.toLowerCase();
      return written;
    });
  }
}

/** Marks a whole text at once. */
export function markLexical(text: string, chooser: LexicalChooser): string {
  const transform = new LexicalTransform(chooser);
  return transform.push(text) + transform.end();
}

/**
 * Tests `text` for the lexical mark of `chooser`'s key. Each distinct (previous word, group) pair is
 * scored once; under "not marked with this key" its hit is Bernoulli(1/|group|) independently of
 * the others (a fresh keyed value per pair), so the count is Poisson-binomial and the tail exact.
 */
export function detectLexical(
  text: string,
  chooser: LexicalChooser,
  options: { minScoredWords?: number; alpha?: number } = {},
): LexicalDetection {
  const seen = new Set<string>();
  const probabilities: number[] = [];
  let hits = 0;
  let previousWord = '';
  const code = new CodeState();
  for (const match of normalizeForDetection(text).matchAll(piecePattern)) {
    if (code.inCode(match[0])) continue;
    const lower = match[0].toLowerCase();
    const group = /^\p{Ll}+$/u.test(lower) ? chooser.index.groupOf(lower) : undefined;
    if (group !== undefined && (match[0] === lower || /^\p{Lu}\p{Ll}+$/u.test(match[0]))) {
      const pair = `${previousWord}\u0000${group}`;
      if (!seen.has(pair)) {
        seen.add(pair);
        probabilities.push(1 / chooser.index.groups[group].length);
        if (chooser.choose(previousWord, group) === lower) hits += 1;
      }
    }
    previousWord = lower;
  }
  const logP = logPoissonBinomialUpperTail(probabilities, hits);
  const minScored = options.minScoredWords ?? defaultLexicalMinScoredWords;
  const verdict: WatermarkVerdict =
    probabilities.length < minScored
      ? 'too_short'
      : logP <= Math.log(options.alpha ?? 1e-3)
        ? 'watermarked'
        : 'not_watermarked';
  return {
    key_id: chooser.key.key_id,
    scheme: 'lexical',
    scored_tokens: probabilities.length,
    statistic: hits,
    expected: probabilities.reduce((sum, p) => sum + p, 0),
    log10_p_value: logP / Math.LN10,
    verdict,
  };
}
