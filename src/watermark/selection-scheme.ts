// Selection watermark for upstreams we do not sample (Bahri and Wieting 2024, "A Watermark for
// Black-Box Language Models": draw n candidates, serve the one with the best keyed score). The
// score is the key's own detection test, so the mark is detected by the ordinary detector.
import { WatermarkDetector } from './detect-watermark.js';
import type { WatermarkKey } from './keys.js';

export interface Selection {
  /** Index of the candidate to serve. */
  index: number;
  /** log10 p-value of each candidate under the key (0 for empty ones). */
  log10PValues: number[];
}

/**
 * Picks the candidate whose text is most strongly marked under `key` (smallest exact p-value of
 * the key's test on its deduplicated (window, token) tuples); ties go to the first.
 *
 * Detection needs nothing new: under "not served through this selection", the text's tuples are
 * scored by keyed values independent of it, so its green count is Binomial(n, gamma) (Gumbel: the
 * score sum is Gamma(n, 1)) and the detector's p-value stays exact. Selection changes only the law
 * under the alternative: the served text's statistic is the max of n draws, whose z-score has mean
 * E[max of n standard normals] (1.03 for n = 4, 1.54 for n = 10; Bahri and Wieting §3), so the
 * evidence adds up over many answers (one tape) rather than within one short answer.
 */
export function selectCandidate(
  candidates: readonly string[],
  key: WatermarkKey,
  detector = new WatermarkDetector(key, { minScoredTokens: 0 }),
): Selection {
  const log10PValues = candidates.map((text) =>
    text.length === 0 ? 0 : detector.detectText(text).log10_p_value,
  );
  let index = 0;
  log10PValues.forEach((value, candidate) => {
    if (value < log10PValues[index]) index = candidate;
  });
  return { index, log10PValues };
}
