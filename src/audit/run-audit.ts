// The radioactivity audit end to end (Sander et al. 2024, "Watermarking Makes Language Models
// Radioactive"): ask the suspect, build one deduplicated tape, filter it, test it under the real key,
// under >= 1,000 wrong keys and under each cohort key (Holm), and return the evidence record.
import { DistillGuardError } from '../core/index.js';
import {
  holmAdjust,
  type WatermarkKey,
  type WatermarkParameters,
  type WatermarkScheme,
} from '../watermark/index.js';
import type { AuditPrompt } from './audit-prompts.js';
import { AnswersLog, readAnswers } from './answers-log.js';
import type { RejectedLine } from './line-files.js';
import { querySuspect, type QueryFailure, type SuspectOptions } from './query-suspect.js';
import { nullDistribution, nullKeys, scoreTape, type NullSummary } from './score-tape.js';
import { buildTupleTape, type PromptFilter, type TapeCounts } from './tuple-tape.js';

export const evidenceFormat = 'distillguard.audit-evidence/v1';
export const defaultAuditAlpha = 1e-3;
export const defaultNullKeys = 1000;
export const defaultMinTuples = 1000;

export interface AuditOptions extends Omit<SuspectOptions, 'onProgress'> {
  key: WatermarkKey;
  prompts: readonly AuditPrompt[];
  rejectedLines?: readonly RejectedLine[];
  /** Window fingerprints of the texts served to the cohort (readServedWindows, with the key's window); undefined: no served filter. */
  served?: { windows: ReadonlySet<number>; texts: number };
  promptFilter?: PromptFilter;
  cohortKeys?: readonly WatermarkKey[];
  nullKeyCount?: number;
  /** Repeatable wrong keys (tests, experiments); default random. */
  nullSeed?: string;
  alpha?: number;
  /** No verdict below this many tuples. Default 1,000. */
  minTuples?: number;
  answersPath: string;
  resume: boolean;
  onProgress?: (message: string) => void;
}

export interface CohortEvidence {
  cohort: string;
  key_id: string;
  scored_tuples: number;
  statistic: number;
  log10_p_value: number;
  /** Holm-adjusted over the cohort keys (Holm 1979). */
  adjusted_log10_p_value: number;
}

export interface AuditEvidence {
  format: typeof evidenceFormat;
  verdict: 'radioactive' | 'not_detected' | 'too_few_tuples';
  alpha: number;
  /** log10 of the exact p-value under the real key: "the suspect's outputs are not marked with this key". */
  log10_p_value: number;
  scored_tuples: number;
  statistic: number;
  /** The statistic's expectation under the null (gamma n, or n for Gumbel). */
  expected_statistic: number;
  null: NullSummary;
  key: {
    key_id: string;
    scheme: WatermarkScheme;
    parameters: WatermarkParameters;
    cohort: string | null;
    master_key_id: string | null;
  };
  suspect: { url: string; model: string };
  method: {
    test: string;
    tokenizer: string;
    normalisation: string;
    deduplication: string;
    prompt_filter: string;
    served_filter: string;
    reference: string;
  };
  counts: {
    prompts: number;
    prompt_lines_rejected: number;
    samples_per_prompt: number;
    answers: number;
    answers_reused: number;
    requests_sent: number;
    answers_failed: number;
    served_texts: number | null;
  } & TapeCounts;
  cohorts: { alpha: number; named_cohort: string | null; keys: CohortEvidence[] } | null;
  rejected_lines: RejectedLine[];
  failures: QueryFailure[];
  started_at: string;
  finished_at: string;
}

/** Runs the audit; writes answers to `answersPath` as they arrive. */
export async function runAudit(options: AuditOptions): Promise<AuditEvidence> {
  const startedAt = new Date().toISOString();
  const { key } = options;
  if (key.parameters.seeding === 'reference')
    throw new DistillGuardError(
      'usage',
      `key ${key.key_id} uses the public reference seeding: there is no secret to audit with; use a keyed key.`,
    );
  const cohortKeys = options.cohortKeys ?? [];
  for (const cohortKey of cohortKeys) {
    if (cohortKey.scheme !== key.scheme || cohortKey.parameters.window !== key.parameters.window) {
      throw new DistillGuardError(
        'usage',
        `cohort key ${cohortKey.key_id} (${cohortKey.scheme}, window ${cohortKey.parameters.window}) does not match --key (${key.scheme}, window ${key.parameters.window}); all keys of an audit share one tape.`,
      );
    }
  }
  if (options.prompts.length === 0)
    throw new DistillGuardError(
      'input_invalid',
      'no usable prompts; each line of --prompts must be {"messages": [...]} or {"prompt": "..."}.',
    );
  const previous = options.resume ? readAnswers(options.answersPath) : new Map();
  const log = new AnswersLog(options.answersPath, options.resume);
  const queried = await querySuspect(
    options.prompts,
    {
      ...options,
      onProgress: (done, total) => {
        if (done === total || done % 50 === 0) options.onProgress?.(`asked ${done} of ${total}`);
      },
    },
    log,
    previous,
  );
  if (queried.answers.length === 0)
    throw new DistillGuardError(
      'gateway_unavailable',
      `the suspect gave no answers (${queried.failures[0]?.reason ?? 'no requests'}); check --suspect and --model.`,
    );

  const promptFilter = options.promptFilter ?? 'tuple';
  const tape = buildTupleTape(
    queried.answers.map((answer) => answer.text),
    {
      window: key.parameters.window,
      prompts: options.prompts.map((prompt) => prompt.text),
      promptFilter,
      servedWindows: options.served?.windows,
    },
  );
  const real = scoreTape(tape, key);
  options.onProgress?.(
    `scored ${tape.count} tuples; scoring ${options.nullKeyCount ?? defaultNullKeys} wrong keys`,
  );
  const wrongKeys = nullKeys(key, options.nullKeyCount ?? defaultNullKeys, options.nullSeed);
  const nullSummary = nullDistribution(
    tape,
    wrongKeys,
    real.log10_p_value,
    options.nullSeed === undefined
      ? 'random master, HMAC-SHA256 derived'
      : `derived from seed '${options.nullSeed}'`,
  );
  const alpha = options.alpha ?? defaultAuditAlpha;
  const logAlpha = Math.log10(alpha);
  let cohorts: AuditEvidence['cohorts'] = null;
  if (cohortKeys.length > 0) {
    const scores = cohortKeys.map((cohortKey) => scoreTape(tape, cohortKey));
    const adjusted = holmAdjust(scores.map((score) => score.log10_p_value));
    const keys = cohortKeys.map((cohortKey, index) => ({
      cohort: cohortKey.cohort ?? cohortKey.key_id,
      key_id: cohortKey.key_id,
      scored_tuples: scores[index].scored,
      statistic: scores[index].statistic,
      log10_p_value: scores[index].log10_p_value,
      adjusted_log10_p_value: adjusted[index],
    }));
    const best = keys.reduce<CohortEvidence | null>(
      (winner, entry) =>
        entry.adjusted_log10_p_value <= logAlpha &&
        (!winner || entry.adjusted_log10_p_value < winner.adjusted_log10_p_value)
          ? entry
          : winner,
      null,
    );
    cohorts = {
      alpha,
      named_cohort:
        tape.count >= (options.minTuples ?? defaultMinTuples) ? (best?.cohort ?? null) : null,
      keys,
    };
  }
  const gamma = key.scheme === 'gumbel' ? 1 : key.parameters.gamma;
  return {
    format: evidenceFormat,
    verdict:
      tape.count < (options.minTuples ?? defaultMinTuples)
        ? 'too_few_tuples'
        : real.log10_p_value <= logAlpha
          ? 'radioactive'
          : 'not_detected',
    alpha,
    log10_p_value: real.log10_p_value,
    scored_tuples: real.scored,
    statistic: real.statistic,
    expected_statistic: gamma * real.scored,
    null: nullSummary,
    key: {
      key_id: key.key_id,
      scheme: key.scheme,
      parameters: { ...key.parameters },
      cohort: key.cohort ?? null,
      master_key_id: key.master_key_id ?? null,
    },
    suspect: { url: options.baseUrl, model: options.model },
    method: {
      test:
        key.scheme === 'gumbel'
          ? 'sum of -log(1 - r) over distinct tuples; under H0 Gamma(n, 1); p = Q(n, S), regularised upper incomplete gamma'
          : `green tuples out of n distinct tuples; under H0 Binomial(n, ${key.parameters.gamma}); p = I_gamma(g, n - g + 1), regularised incomplete beta`,
      tokenizer: 'cl100k_base',
      normalisation:
        'NFKC, invisible characters removed, Cyrillic/Greek look-alikes mapped inside mixed-script words',
      deduplication: `one tape over all outputs; each distinct (window of ${key.parameters.window} tokens, token) tuple scored once`,
      prompt_filter:
        promptFilter === 'tuple'
          ? 'tuples (window and token) that occur in any prompt are dropped'
          : 'tuples whose window occurs in any prompt are dropped',
      served_filter: options.served
        ? 'only tuples whose window occurs in the texts served to the cohort are kept'
        : 'none',
      reference:
        'Sander, Fernandez, Durmus, Douze, Furon (2024), Watermarking Makes Language Models Radioactive, NeurIPS 2024, §4',
    },
    counts: {
      prompts: options.prompts.length,
      prompt_lines_rejected: options.rejectedLines?.length ?? 0,
      samples_per_prompt: options.samplesPerPrompt,
      answers: queried.answers.length,
      answers_reused: queried.reused,
      requests_sent: queried.asked,
      answers_failed: queried.failures.length,
      served_texts: options.served ? options.served.texts : null,
      ...tape.counts,
    },
    cohorts,
    rejected_lines: [...(options.rejectedLines ?? [])],
    failures: queried.failures.slice(0, 100),
    started_at: startedAt,
    finished_at: new Date().toISOString(),
  };
}
