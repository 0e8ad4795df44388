// Account-level figures: precision, recall and false-positive rate of the extraction verdict, and
// how each benign and benchmark persona was treated. One pass over the labels.
import type { Labels } from '../core/index.js';
import type {
  BenchmarkOutcome,
  EvaluationResult,
  ExtractionMetrics,
  PersonaVerdicts,
  VerdictCounts,
} from './evaluation-result.js';
import type { ReportIndex } from './report-index.js';
import { compareKeys, countVerdict, emptyVerdictCounts, personaVerdicts, share } from './tally.js';

export interface AccountMetrics {
  labels: EvaluationResult['labels'];
  extraction: ExtractionMetrics;
  benign_personas: PersonaVerdicts[];
  benchmark: BenchmarkOutcome;
}

export function measureAccounts(labels: Labels, index: ReportIndex): AccountMetrics {
  const classTotals = { accounts: 0, benign: 0, benchmark: 0, campaign: 0 };
  const confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const benignByPersona = new Map<string | null, VerdictCounts>();
  const benchmarkByPersona = new Map<string | null, VerdictCounts>();
  const benchmarkTotals = emptyVerdictCounts();

  for (const [accountId, label] of Object.entries(labels.accounts)) {
    const verdict = index.accountsById.get(accountId)?.verdict;
    const flagged = verdict === 'extraction';
    classTotals.accounts += 1;
    classTotals[label.class] += 1;

    if (label.class === 'campaign') {
      if (flagged) confusion.tp += 1;
      else confusion.fn += 1;
      continue;
    }
    if (flagged) confusion.fp += 1;
    else confusion.tn += 1;

    const byPersona = label.class === 'benign' ? benignByPersona : benchmarkByPersona;
    const persona = label.persona ?? null;
    let counts = byPersona.get(persona);
    if (!counts) {
      counts = emptyVerdictCounts();
      byPersona.set(persona, counts);
    }
    countVerdict(counts, verdict);
    if (label.class === 'benchmark') countVerdict(benchmarkTotals, verdict);
  }

  return {
    labels: classTotals,
    extraction: {
      true_positives: confusion.tp,
      false_positives: confusion.fp,
      false_negatives: confusion.fn,
      true_negatives: confusion.tn,
      precision: share(confusion.tp, confusion.tp + confusion.fp),
      recall: share(confusion.tp, confusion.tp + confusion.fn),
      false_positive_rate: share(confusion.fp, confusion.fp + confusion.tn),
    },
    benign_personas: personaRows(benignByPersona),
    benchmark: {
      ...benchmarkTotals,
      recognised_share: share(benchmarkTotals.benchmark, benchmarkTotals.accounts),
      extraction_share: share(benchmarkTotals.extraction, benchmarkTotals.accounts),
      personas: personaRows(benchmarkByPersona),
    },
  };
}

function personaRows(byPersona: Map<string | null, VerdictCounts>): PersonaVerdicts[] {
  return [...byPersona]
    .sort(([left], [right]) => compareKeys(left, right))
    .map(([persona, counts]) => personaVerdicts(persona, counts));
}
