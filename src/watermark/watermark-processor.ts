// The sampler side: a key becomes a refmodel LogitsProcessor. Green-list schemes add delta to green
// candidates' logits; Gumbel/EXP replaces the sampler's draw by its keyed choice (LogitsProcessor.choose).
import type { LogitsProcessor } from '../refmodel/index.js';
import { deriveCohortKey, type WatermarkKey } from './keys.js';
import { GumbelScorer, tokenScorerFor, type TokenScorer } from './token-scorer.js';

/** How far back Gumbel looks for an earlier occurrence of the current window. */
const maskingLookback = 4096;

/** Soft green-list watermark (Kirchenbauer et al. 2023, Algorithm 2): logit + delta on green tokens. */
class GreenListProcessor implements LogitsProcessor {
  constructor(
    private readonly scorer: TokenScorer,
    private readonly delta: number,
  ) {}

  process(context: readonly number[], candidates: Int32Array, logits: Float64Array): void {
    const end = context.length;
    if (end < this.scorer.window) return;
    for (let slot = 0; slot < candidates.length; slot += 1) {
      if (logits[slot] !== -Infinity && this.scorer.score(context, end, candidates[slot]) === 1)
        logits[slot] += this.delta;
    }
  }
}

/**
 * Distortion-free Gumbel/EXP sampling (Aaronson 2022): argmax over candidates of log(r_v) / p_v,
 * which draws v with probability p_v over random keys. Repeated-context masking (Fernandez et al.
 * 2023 "Three Bricks" §4; Dathathri et al. 2024): when the window already occurred earlier in the
 * context, the same r would repeat the same choice, so the sampler's ordinary draw is used instead.
 */
class GumbelProcessor implements LogitsProcessor {
  constructor(private readonly scorer: GumbelScorer) {}

  process(): void {}

  choose(context: readonly number[], candidates: Int32Array, weights: Float64Array): number {
    const window = this.scorer.window;
    const end = context.length;
    if (end < window || windowRepeats(context, window)) return -1;
    const seed = this.scorer.seed(context, end);
    let best = -1;
    let bestValue = -Infinity;
    for (let slot = 0; slot < candidates.length; slot += 1) {
      const weight = weights[slot];
      if (!(weight > 0)) continue;
      const value = this.scorer.logUniform(seed, candidates[slot]) / weight;
      if (value > bestValue) {
        bestValue = value;
        best = slot;
      }
    }
    return best;
  }
}

/** True when the last `window` tokens of `context` also end at an earlier position. */
export function windowRepeats(context: readonly number[], window: number): boolean {
  const end = context.length;
  const earliest = Math.max(window, end - maskingLookback);
  for (let position = end - 1; position >= earliest; position -= 1) {
    let same = true;
    for (let offset = 1; offset <= window; offset += 1) {
      if (context[position - offset] !== context[end - offset]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

/**
 * The logits processor that marks generations with `key`; pass it to the reference model
 * (`generate(..., { logitsProcessor })`, `startReferenceModelServer({ logitsProcessor })`).
 */
export function watermarkProcessor(key: WatermarkKey): LogitsProcessor {
  const scorer = tokenScorerFor(key);
  if (scorer instanceof GumbelScorer) return new GumbelProcessor(scorer);
  return new GreenListProcessor(scorer, key.parameters.delta);
}

/**
 * Tracer cohorts on the sampler side: the processor of cohort `c` marks with
 * deriveCohortKey(master, c, generation), the key the gateway records and an audit tests with.
 * Processors are built once per cohort.
 */
export function cohortWatermarkProcessors(
  master: WatermarkKey,
  generation = 0,
): (cohort: string) => LogitsProcessor {
  const processors = new Map<string, LogitsProcessor>();
  return (cohort) => {
    let processor = processors.get(cohort);
    if (!processor)
      processors.set(
        cohort,
        (processor = watermarkProcessor(deriveCohortKey(master, cohort, generation))),
      );
    return processor;
  };
}
