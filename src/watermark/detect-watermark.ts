// Detection: normalise, tokenize (cl100k_base, as the reference model), score each distinct
// (window, token) tuple once, and run the exact test of the scheme in log space.
import { encodeText } from '../refmodel/index.js';
import { tupleFingerprint } from './keyed-hash.js';
import type { WatermarkKey, WatermarkScheme } from './keys.js';
import { normalizeForDetection } from './normalize-text.js';
import { logBinomialUpperTail, logRegularizedUpperGamma } from './special-functions.js';
import { tokenScorerFor, type TokenScorer } from './token-scorer.js';

export type WatermarkVerdict = 'watermarked' | 'not_watermarked' | 'too_short';

export interface DetectionOptions {
  /** No verdict below this many scored tuples. Default 50. */
  minScoredTokens?: number;
  /** Significance level of the verdict. Default 1e-3. */
  alpha?: number;
  /** Score at most this many tuples (the first ones); for fixed-length power studies. */
  maxScoredTokens?: number;
}

export interface DetectionResult {
  key_id: string;
  scheme: WatermarkScheme;
  /** Distinct (window, token) tuples scored. */
  scored_tokens: number;
  /** Green tuples (kgw, kgw-selfhash, unigram) or the sum of -log(1 - r) (gumbel). */
  statistic: number;
  /** log10 of the exact one-sided p-value under "not marked with this key". */
  log10_p_value: number;
  verdict: WatermarkVerdict;
}

export const defaultMinScoredTokens = 50;
export const defaultAlpha = 1e-3;

export interface TupleScore {
  scored: number;
  statistic: number;
}

/** Sums the scores of distinct (window, token) tuples of `tokens` (Fernandez et al. 2023 §4: dedup keeps the test exact). */
export function scoreTuples(
  tokens: ArrayLike<number>,
  scorer: TokenScorer,
  maxScored = Infinity,
  seen = new Set<number>(),
): TupleScore {
  const window = scorer.window;
  let scored = 0;
  let statistic = 0;
  for (let index = window; index < tokens.length && scored < maxScored; index += 1) {
    const fingerprint = tupleFingerprint(tokens, index - window, index);
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    statistic += scorer.score(tokens, index, tokens[index]);
    scored += 1;
  }
  return { scored, statistic };
}

/**
 * Natural log of the exact p-value. Green lists: P(Binomial(n, gamma) >= green) = I_gamma(green,
 * n - green + 1) (Fernandez et al. 2023 §3). EXP: each score is Exp(1) under H0, so the sum of n is
 * Gamma(n, 1) and p = Q(n, sum) (Aaronson 2022; Fernandez et al. 2023 §3).
 */
export function logPValue(scorer: TokenScorer, score: TupleScore): number {
  if (score.scored === 0) return 0;
  if (scorer.statistic === 'green_count')
    return logBinomialUpperTail(score.statistic, score.scored, scorer.gamma);
  return logRegularizedUpperGamma(score.scored, score.statistic);
}

/** Detects one key's watermark; build once per key, call per text. */
export class WatermarkDetector {
  readonly scorer: TokenScorer;
  private readonly minScored: number;
  private readonly logAlpha: number;
  private readonly maxScored: number;

  constructor(
    readonly key: WatermarkKey,
    options: DetectionOptions = {},
  ) {
    this.scorer = tokenScorerFor(key);
    this.minScored = options.minScoredTokens ?? defaultMinScoredTokens;
    this.logAlpha = Math.log(options.alpha ?? defaultAlpha);
    this.maxScored = options.maxScoredTokens ?? Infinity;
  }

  /** Tokens as the detector sees `text`: normalised, then cl100k_base. */
  static tokenize(text: string): number[] {
    return encodeText(normalizeForDetection(text));
  }

  detectText(text: string): DetectionResult {
    return this.detectTokens(WatermarkDetector.tokenize(text));
  }

  detectTokens(tokens: ArrayLike<number>): DetectionResult {
    const score = scoreTuples(tokens, this.scorer, this.maxScored);
    const logP = logPValue(this.scorer, score);
    const verdict: WatermarkVerdict =
      score.scored < this.minScored
        ? 'too_short'
        : logP <= this.logAlpha
          ? 'watermarked'
          : 'not_watermarked';
    return {
      key_id: this.key.key_id,
      scheme: this.key.scheme,
      scored_tokens: score.scored,
      statistic: score.statistic,
      log10_p_value: logP / Math.LN10,
      verdict,
    };
  }
}

/**
 * One-shot detection.
 * @example detectWatermark(text, readWatermarkKey('key.json')).verdict
 */
export function detectWatermark(
  text: string,
  key: WatermarkKey,
  options: DetectionOptions = {},
): DetectionResult {
  return new WatermarkDetector(key, options).detectText(text);
}
