// The shape `distillguard eval --json` prints: what evaluate() returns. Keys are snake_case, numbers
// are plain, and a ratio whose denominator is zero is null (never 0 or 1), so machines can rely on it.

/** Version tag of this shape; bumped when a field changes meaning or disappears. */
export const evaluationSchema = 'distillguard.eval/v1';

/** How many accounts of one group received each verdict. Accounts the report does not list are `unflagged`. */
export interface VerdictCounts {
  /** Labelled accounts in the group. */
  accounts: number;
  /** Given verdict `extraction` (for non-campaign accounts these are false positives). */
  extraction: number;
  /** Given verdict `review`. */
  review: number;
  /** Given verdict `benchmark`. */
  benchmark: number;
  /** Not listed in the report, so judged normal. */
  unflagged: number;
}

/** Verdict counts of one simulated persona, with the shares a reader compares across personas. */
export interface PersonaVerdicts extends VerdictCounts {
  /** The label's persona; null for accounts labelled without one. */
  persona: string | null;
  /** extraction / accounts. */
  extraction_share: number | null;
  /** review / accounts. */
  review_share: number | null;
  /** benchmark / accounts. */
  benchmark_share: number | null;
}

/**
 * Account-level quality of the `extraction` verdict. Positive = label class `campaign`;
 * flagged = verdict `extraction`. Report accounts missing from the labels are left out.
 */
export interface ExtractionMetrics {
  /** Campaign accounts flagged extraction. */
  true_positives: number;
  /** Benign or benchmark accounts flagged extraction. */
  false_positives: number;
  /** Campaign accounts not flagged extraction (review, benchmark, or not listed). */
  false_negatives: number;
  /** Benign or benchmark accounts not flagged extraction. */
  true_negatives: number;
  /** TP / (TP + FP); null when nothing is flagged. */
  precision: number | null;
  /** TP / (TP + FN); null when the labels hold no campaign account. */
  recall: number | null;
  /** FP / (FP + TN), i.e. over all non-campaign accounts; null when there are none. */
  false_positive_rate: number | null;
}

/** How the benchmark accounts fared: they should be recognised, never flagged. */
export interface BenchmarkOutcome extends VerdictCounts {
  /** benchmark / accounts: the share recognised as evaluation traffic. */
  recognised_share: number | null;
  /** extraction / accounts. */
  extraction_share: number | null;
  /** The same counts per benchmark persona, ordered by persona. */
  personas: PersonaVerdicts[];
}

/** Recall and grouping of one true campaign (label `campaign` id). */
export interface CampaignOutcome extends VerdictCounts {
  /** The labels' campaign id; null for campaign accounts labelled without one. */
  campaign_id: string | null;
  /** extraction / accounts. */
  recall: number | null;
  /** Flagged (extraction) accounts whose report campaign_id is null or absent. */
  ungrouped: number;
  /** The report campaign_id holding most of the flagged accounts; null when none of them is grouped. Ties go to the first id in sort order. */
  dominant_report_campaign: string | null;
  /** Flagged accounts under the dominant report campaign_id / all flagged accounts (ungrouped ones included); null when none is flagged. */
  grouping_share: number | null;
  /** Distinct report campaign_ids over all of the campaign's accounts the report lists, whatever their verdict. 1 is ideal. */
  spread_over_report_campaigns: number;
}

/** Purity of one campaign the report found. */
export interface ReportCampaignPurity {
  /** The report's campaign_id. */
  campaign_id: string;
  /**
   * Distinct member accounts: those in the campaign's `accounts` list together with the report
   * accounts whose campaign_id names it.
   */
  accounts: number;
  /** Members whose label class is campaign. */
  campaign_members: number;
  /** Members labelled benign. */
  benign_members: number;
  /** Members labelled benchmark. */
  benchmark_members: number;
  /** Members missing from the labels; left out of the purity denominator. */
  unknown_members: number;
  /** The true campaign with most members here; null when no member is a campaign account. */
  dominant_campaign: string | null;
  /** Members from the dominant true campaign / labelled members (benign and benchmark count as impurity); null when no member is labelled. */
  purity: number | null;
}

/** Report account ids that the labels do not know: a sign the two files do not belong together. */
export interface UnknownAccounts {
  /** Distinct unknown ids, from the report's accounts and its campaigns' member lists. */
  count: number;
  /** Up to 10 of them, in the order the report lists them. */
  examples: string[];
}

/** Everything `distillguard eval` measures; also its `--json` output. */
export interface EvaluationResult {
  /** Always `distillguard.eval/v1`. */
  schema: typeof evaluationSchema;
  /** Counts by label class. */
  labels: { accounts: number; benign: number; benchmark: number; campaign: number };
  /** Counts in the report: listed accounts by verdict, and campaigns (listed or named by an account). */
  report: {
    accounts: number;
    extraction: number;
    review: number;
    benchmark: number;
    campaigns: number;
  };
  /** Account-level quality of the extraction verdict. */
  extraction: ExtractionMetrics;
  /** Per benign persona, ordered by persona. Their extraction counts are the false positives. */
  benign_personas: PersonaVerdicts[];
  /** Benchmark accounts, overall and per persona. */
  benchmark: BenchmarkOutcome;
  /** Per true campaign, ordered by id. */
  campaigns: CampaignOutcome[];
  /** Per report campaign, ordered by id. */
  report_campaigns: ReportCampaignPurity[];
  /** Report accounts missing from the labels; they count neither as TP nor as FP. */
  unknown_accounts: UnknownAccounts;
  /** Sentences for people about anything that makes the numbers less trustworthy; empty when none. */
  warnings: string[];
}
