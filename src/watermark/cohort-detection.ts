// Tracer cohorts: test one text against the K cohort keys and name the cohort whose key marks it,
// with Holm's step-down correction (Holm 1979) so the family-wise error stays <= alpha over K keys.
import {
  WatermarkDetector,
  defaultAlpha,
  defaultMinScoredTokens,
  type DetectionOptions,
  type DetectionResult,
  type WatermarkVerdict,
} from './detect-watermark.js';
import type { WatermarkKey } from './keys.js';

export interface CohortResult extends DetectionResult {
  cohort: string | null;
  /** log10 of the Holm-adjusted p-value. */
  adjusted_log10_p_value: number;
}

export interface CohortDetection {
  /** The cohort (or key id, for keys without a cohort) whose key marks the text; null when none does. */
  cohort: string | null;
  verdict: WatermarkVerdict;
  /** Smallest adjusted log10 p-value over the keys. */
  log10_p_value: number;
  keys: CohortResult[];
}

/**
 * Holm-adjusted log10 p-values, in input order: sort ascending, adjusted_(i) = max over j <= i of
 * min(1, (K - j + 1) p_(j)) (Holm 1979).
 */
export function holmAdjust(log10PValues: readonly number[]): number[] {
  const count = log10PValues.length;
  const order = log10PValues
    .map((value, index) => [value, index] as const)
    .sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(count);
  let running = -Infinity;
  order.forEach(([value, index], rank) => {
    running = Math.max(running, Math.min(0, value + Math.log10(count - rank)));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Tests `text` against every cohort key (Holm correction at `alpha`) and names the marking cohort. */
export class CohortDetector {
  private readonly detectors: WatermarkDetector[];
  private readonly alpha: number;
  private readonly minScored: number;

  constructor(keys: readonly WatermarkKey[], options: DetectionOptions = {}) {
    this.detectors = keys.map((key) => new WatermarkDetector(key, options));
    this.alpha = options.alpha ?? defaultAlpha;
    this.minScored = options.minScoredTokens ?? defaultMinScoredTokens;
  }

  detectText(text: string): CohortDetection {
    return this.detectTokens(WatermarkDetector.tokenize(text));
  }

  detectTokens(tokens: ArrayLike<number>): CohortDetection {
    const results = this.detectors.map((detector) => detector.detectTokens(tokens));
    const adjusted = holmAdjust(results.map((result) => result.log10_p_value));
    const logAlpha = Math.log10(this.alpha);
    const keys: CohortResult[] = results.map((result, index) => {
      const key = this.detectors[index].key;
      const verdict: WatermarkVerdict =
        result.scored_tokens < this.minScored
          ? 'too_short'
          : adjusted[index] <= logAlpha
            ? 'watermarked'
            : 'not_watermarked';
      return {
        ...result,
        verdict,
        cohort: key.cohort ?? null,
        adjusted_log10_p_value: adjusted[index],
      };
    });
    let best = -1;
    keys.forEach((result, index) => {
      if (
        result.verdict === 'watermarked' &&
        (best < 0 || result.adjusted_log10_p_value < keys[best].adjusted_log10_p_value)
      )
        best = index;
    });
    const anyLongEnough = keys.some((result) => result.verdict !== 'too_short');
    return {
      cohort: best >= 0 ? (keys[best].cohort ?? keys[best].key_id) : null,
      verdict: best >= 0 ? 'watermarked' : anyLongEnough ? 'not_watermarked' : 'too_short',
      log10_p_value:
        keys.length > 0 ? Math.min(...keys.map((result) => result.adjusted_log10_p_value)) : 0,
      keys,
    };
  }
}
