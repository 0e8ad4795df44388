// Public face of watermark/: keys, the sampler-side schemes (KGW, SelfHash, Gumbel/EXP, Unigram)
// as refmodel logits processors, detection with exact tests, and tracer cohorts.
export {
  watermarkSchemes,
  defaultParameters,
  generateWatermarkKey,
  deriveCohortKey,
  rotateWatermarkKey,
  parseWatermarkKey,
  readWatermarkKey,
  writeWatermarkKey,
  type WatermarkKey,
  type WatermarkScheme,
  type WatermarkParameters,
} from './keys.js';
export { watermarkProcessor, cohortWatermarkProcessors } from './watermark-processor.js';
export { tokenScorerFor, type TokenScorer } from './token-scorer.js';
export {
  WatermarkDetector,
  detectWatermark,
  logPValue,
  defaultAlpha,
  defaultMinScoredTokens,
  type DetectionOptions,
  type DetectionResult,
  type WatermarkVerdict,
  type TupleScore,
} from './detect-watermark.js';
export {
  CohortDetector,
  holmAdjust,
  type CohortDetection,
  type CohortResult,
} from './cohort-detection.js';
export { normalizeForDetection } from './normalize-text.js';
export { referenceKgwGreenList, torchRandperm, referenceHashKey } from './reference-kgw.js';
export { Mt19937 } from './mt19937.js';
export { tupleFingerprint } from './keyed-hash.js';
export {
  logGamma,
  logRegularizedIncompleteBeta,
  logBinomialUpperTail,
  logRegularizedUpperGamma,
} from './special-functions.js';
export { selectCandidate, type Selection } from './selection-scheme.js';
export {
  LexicalChooser,
  LexicalTransform,
  markLexical,
  detectLexical,
  defaultLexicalMinScoredWords,
  type LexicalDetection,
} from './lexical-scheme.js';
export {
  loadSynonymIndex,
  synonymIndexOf,
  buildSynonymGroups,
  type SynonymIndex,
} from './synonym-index.js';
export { logPoissonBinomialUpperTail } from './poisson-binomial.js';
