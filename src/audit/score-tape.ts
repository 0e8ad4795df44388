// Scores the tape under one key and under many wrong keys (the null), with the scheme's exact test:
// binomial tail for green lists, gamma tail for Gumbel/EXP (Sander et al. 2024 §4 after Fernandez
// et al. 2023 §3). The null keys see the same tape and the same filters as the real key.
import { createHash, randomBytes } from 'node:crypto';
import {
  deriveCohortKey,
  logPValue,
  tokenScorerFor,
  type WatermarkKey,
} from '../watermark/index.js';
import type { TupleTape } from './tuple-tape.js';

export interface TapeScore {
  scored: number;
  /** Green tuples, or the sum of -log(1 - r) for Gumbel. */
  statistic: number;
  log10_p_value: number;
}

/** One key's score of the whole tape. */
export function scoreTape(tape: TupleTape, key: WatermarkKey): TapeScore {
  const scorer = tokenScorerFor(key);
  if (scorer.window !== tape.window)
    throw new RangeError(
      `the tape has windows of ${tape.window} tokens; key ${key.key_id} uses ${scorer.window}`,
    );
  const stride = tape.window + 1;
  const tokens = tape.tokens;
  let statistic = 0;
  for (let end = tape.window; end < tokens.length; end += stride)
    statistic += scorer.score(tokens, end, tokens[end]);
  const score = { scored: tape.count, statistic };
  return { ...score, log10_p_value: logPValue(scorer, score) / Math.LN10 };
}

export interface NullSummary {
  /** Wrong keys scored. */
  keys: number;
  /** How the wrong keys were drawn. */
  key_source: string;
  /** Quantiles of the wrong keys' log10 p-values. */
  log10_p_quantiles: {
    min: number;
    q01: number;
    q05: number;
    q25: number;
    median: number;
    q75: number;
    q95: number;
    q99: number;
    max: number;
  };
  /** Wrong keys with log10 p at or below the real key's. */
  at_or_below_real: number;
  fraction_at_or_below_real: number;
  /** 1 + wrong keys at or below the real key: 1 means no wrong key scored as well. */
  real_key_rank: number;
  /** (1 + at_or_below) / (1 + keys): the real key's p-value against the wrong-key distribution itself. */
  empirical_p_value: number;
  /** Every wrong key's log10 p-value, in key order (for plots and checks). */
  log10_p_values: number[];
}

/**
 * `count` wrong keys with the real key's scheme and parameters. With `seed`, they are derived
 * (HMAC-SHA256, as cohort keys) from a master secret SHA-256(seed), so a run can be repeated;
 * without, from a fresh random master.
 */
export function nullKeys(real: WatermarkKey, count: number, seed?: string): WatermarkKey[] {
  const secret =
    seed === undefined
      ? randomBytes(32)
      : createHash('sha256').update(`distillguard/audit/null/v1/${seed}`).digest();
  const master: WatermarkKey = {
    key_id: 'wk_null_master',
    scheme: real.scheme,
    parameters: { ...real.parameters },
    secret: secret.toString('base64url'),
    created_at: real.created_at,
  };
  return Array.from({ length: count }, (_, index) => deriveCohortKey(master, `null-${index}`));
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** Scores the tape under each wrong key and summarises the distribution beside the real key's p. */
export function nullDistribution(
  tape: TupleTape,
  keys: readonly WatermarkKey[],
  realLog10P: number,
  keySource: string,
): NullSummary {
  const values = keys.map((key) => scoreTape(tape, key).log10_p_value);
  const sorted = [...values].sort((a, b) => a - b);
  const atOrBelow = values.filter((value) => value <= realLog10P).length;
  return {
    keys: keys.length,
    key_source: keySource,
    log10_p_quantiles: {
      min: sorted[0] ?? 0,
      q01: quantile(sorted, 0.01),
      q05: quantile(sorted, 0.05),
      q25: quantile(sorted, 0.25),
      median: quantile(sorted, 0.5),
      q75: quantile(sorted, 0.75),
      q95: quantile(sorted, 0.95),
      q99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? 0,
    },
    at_or_below_real: atOrBelow,
    fraction_at_or_below_real: keys.length > 0 ? atOrBelow / keys.length : 0,
    real_key_rank: atOrBelow + 1,
    empirical_p_value: (1 + atOrBelow) / (1 + keys.length),
    log10_p_values: values,
  };
}
