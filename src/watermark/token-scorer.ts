// Per-token watermark scores, one rule per scheme, shared by the sampler side and the detector so
// that both see the same green lists and the same keyed draws.
import { KeyedHash, greenThreshold } from './keyed-hash.js';
import { keySecretBytes, type WatermarkKey } from './keys.js';
import { ReferenceGreenLists } from './reference-kgw.js';

export interface TokenScorer {
  /** 'green_count': scores are 0/1 with P(1) = gamma under H0; 'exp_sum': scores are Exp(1) under H0. */
  readonly statistic: 'green_count' | 'exp_sum';
  readonly gamma: number;
  /** How many preceding tokens the score of a token depends on. */
  readonly window: number;
  /** Score of `token` after context[end - window .. end). */
  score(context: ArrayLike<number>, end: number, token: number): number;
}

const twoToThe32 = 4294967296;

/**
 * KGW LeftHash with a window of h preceding tokens (Kirchenbauer et al. 2023, Algorithm 2): the
 * green list after a context is {v : F_k(seed(context), v) < gamma}, each token green with
 * probability gamma independently (a keyed hash per token instead of a permutation; the same law).
 */
class LeftHashScorer implements TokenScorer {
  readonly statistic = 'green_count';
  private readonly threshold: number;
  constructor(
    private readonly hash: KeyedHash,
    readonly gamma: number,
    readonly window: number,
  ) {
    this.threshold = greenThreshold(gamma);
  }
  score(context: ArrayLike<number>, end: number, token: number): number {
    return this.hash.tokenValue(this.hash.windowSeed(context, end - this.window, end), token) <
      this.threshold
      ? 1
      : 0;
  }
}

/**
 * KGW SelfHash (Kirchenbauer et al. 2023b, "On the Reliability of Watermarks", §2: anchored
 * min-hash PRF, self-salted, h = 4): the seed is min over the window's tokens and the candidate of
 * F_k(token, anchor = candidate), so the candidate takes part in choosing its own green list.
 */
class SelfHashScorer implements TokenScorer {
  readonly statistic = 'green_count';
  private readonly threshold: number;
  constructor(
    private readonly hash: KeyedHash,
    readonly gamma: number,
    readonly window: number,
  ) {
    this.threshold = greenThreshold(gamma);
  }
  score(context: ArrayLike<number>, end: number, token: number): number {
    const hash = this.hash;
    let seed = hash.pairSeed(token, token);
    for (let index = end - this.window; index < end; index += 1) {
      const candidate = hash.pairSeed(context[index], token);
      if (candidate < seed) seed = candidate;
    }
    return hash.tokenValue(seed, token) < this.threshold ? 1 : 0;
  }
}

/** LeftHash h = 1 with lm-watermarking's fixed key and torch randperm green lists (interop only). */
class ReferenceLeftHashScorer implements TokenScorer {
  readonly statistic = 'green_count';
  readonly window = 1;
  private readonly lists: ReferenceGreenLists;
  constructor(
    readonly gamma: number,
    vocabularySize: number,
  ) {
    this.lists = new ReferenceGreenLists(vocabularySize, gamma);
  }
  score(context: ArrayLike<number>, end: number, token: number): number {
    return this.lists.isGreen(context[end - 1], token) ? 1 : 0;
  }
}

/** Unigram watermark (Zhao et al. 2024, "Provable Robust Watermarking", §3): one fixed green list. */
class UnigramScorer implements TokenScorer {
  readonly statistic = 'green_count';
  readonly window = 0;
  private readonly threshold: number;
  private readonly seed: number;
  constructor(
    private readonly hash: KeyedHash,
    readonly gamma: number,
  ) {
    this.threshold = greenThreshold(gamma);
    this.seed = hash.windowSeed([], 0, 0);
  }
  score(_context: ArrayLike<number>, _end: number, token: number): number {
    return this.hash.tokenValue(this.seed, token) < this.threshold ? 1 : 0;
  }
}

/**
 * Gumbel/EXP (Aaronson 2022; Kuditipudi et al. 2023 §2.3): r_v = F_k(window, v) uniform; the
 * sampler takes argmax r_v^(1/p_v); a token's score is -log(1 - r), Exp(1) under H0 and larger
 * for tokens the keyed draw chose.
 */
export class GumbelScorer implements TokenScorer {
  readonly statistic = 'exp_sum';
  readonly gamma = 0;
  constructor(
    private readonly hash: KeyedHash,
    readonly window: number,
  ) {}
  seed(context: ArrayLike<number>, end: number): number {
    return this.hash.windowSeed(context, end - this.window, end);
  }
  /** log r_v (natural), for the sampler's argmax of log(r_v) / p_v. */
  logUniform(seed: number, token: number): number {
    return Math.log((this.hash.tokenValue(seed, token) + 0.5) / twoToThe32);
  }
  score(context: ArrayLike<number>, end: number, token: number): number {
    const value = this.hash.tokenValue(this.seed(context, end), token);
    return -Math.log((twoToThe32 - 0.5 - value) / twoToThe32);
  }
}

/** The scorer a key describes. */
export function tokenScorerFor(key: WatermarkKey): TokenScorer {
  const { gamma, window, seeding, vocabulary_size: vocabularySize } = key.parameters;
  if (seeding === 'reference') return new ReferenceLeftHashScorer(gamma, vocabularySize);
  const hash = new KeyedHash(keySecretBytes(key), key.scheme);
  switch (key.scheme) {
    case 'kgw':
      return new LeftHashScorer(hash, gamma, window);
    case 'kgw-selfhash':
      return new SelfHashScorer(hash, gamma, window);
    case 'unigram':
      return new UnigramScorer(hash, gamma);
    case 'gumbel':
      return new GumbelScorer(hash, window);
  }
}
