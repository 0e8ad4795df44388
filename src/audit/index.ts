// Public face of audit/: the radioactivity audit of a suspect model (Sander et al. 2024): prompts,
// querying the suspect, the deduplicated tuple tape, the real-key, wrong-key and cohort tests, and
// the evidence (JSON and a readable HTML report).
export { readAuditPrompts, type AuditPrompt, type AuditPrompts } from './audit-prompts.js';
export { readServedWindows, type ServedWindows } from './served-texts.js';
export type { RejectedLine } from './line-files.js';
export { readAnswers, type SuspectAnswer } from './answers-log.js';
export {
  querySuspect,
  type SuspectOptions,
  type QueryResult,
  type QueryFailure,
} from './query-suspect.js';
export {
  buildTupleTape,
  detectionTokens,
  runFingerprints,
  type TupleTape,
  type TapeCounts,
  type TapeOptions,
  type PromptFilter,
} from './tuple-tape.js';
export {
  scoreTape,
  nullKeys,
  nullDistribution,
  type TapeScore,
  type NullSummary,
} from './score-tape.js';
export {
  runAudit,
  evidenceFormat,
  defaultAuditAlpha,
  defaultNullKeys,
  defaultMinTuples,
  type AuditOptions,
  type AuditEvidence,
  type CohortEvidence,
} from './run-audit.js';
export { renderEvidenceHtml, describeLog10P } from './evidence-html.js';
