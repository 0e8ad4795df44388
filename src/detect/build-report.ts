// Builds the analysis report (analysis-report.schema.json) from what was actually analysed.
// Detection fills accounts and campaigns; everything else comes from stored counts, never guesses.
import {
  formatTimestamp,
  type AnalysisReport,
  type ReportedAccount,
  type ReportedCampaign,
} from '../core/index.js';

export interface AnalysedInput {
  interactions: number;
  accounts: number;
  rejected: number;
  fromMs: number | null;
  toMs: number | null;
}

export function buildReport(
  input: AnalysedInput,
  findings: { accounts: ReportedAccount[]; campaigns: ReportedCampaign[] } = {
    accounts: [],
    campaigns: [],
  },
  now: Date = new Date(),
): AnalysisReport {
  return {
    schema: 'distillguard.report/v1',
    generated_at: now.toISOString(),
    input: {
      interactions: input.interactions,
      accounts: input.accounts,
      rejected: input.rejected,
      ...(input.fromMs !== null ? { from: formatTimestamp(input.fromMs) } : {}),
      ...(input.toMs !== null ? { to: formatTimestamp(input.toMs) } : {}),
    },
    accounts: findings.accounts,
    campaigns: findings.campaigns,
  };
}
