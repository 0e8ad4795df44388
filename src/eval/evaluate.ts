// Compares an analysis report with the simulator's ground truth and returns every figure eval
// shows. Pure: no I/O, so the CLI, tests and benchmarks all call it the same way.
import type { AnalysisReport, Labels } from '../core/index.js';
import { measureAccounts } from './account-metrics.js';
import { measureCampaigns } from './campaign-metrics.js';
import {
  evaluationSchema,
  type EvaluationResult,
  type UnknownAccounts,
} from './evaluation-result.js';
import { measureReportCampaigns } from './report-campaign-purity.js';
import { indexReport, type ReportIndex } from './report-index.js';

const exampleLimit = 10;

/**
 * Scores `report` against `labels`. Accounts the report does not list count as judged normal;
 * report accounts the labels do not know are listed under `unknown_accounts` and counted nowhere else.
 *
 * @example
 * const { labels, report } = await readEvaluationInputs('run/labels.json', 'run/report.json');
 * const result = evaluate(labels, report);
 * console.log(result.extraction.precision); // null when nothing was flagged
 */
export function evaluate(labels: Labels, report: AnalysisReport): EvaluationResult {
  const index = indexReport(report);
  const accounts = measureAccounts(labels, index);
  const campaigns = measureCampaigns(labels, index);
  const unknownAccounts = findUnknownAccounts(labels, index);

  const reportTotals = {
    accounts: index.accountsById.size,
    extraction: 0,
    review: 0,
    benchmark: 0,
    campaigns: index.campaignMembers.size,
  };
  for (const account of index.accountsById.values()) reportTotals[account.verdict] += 1;

  return {
    schema: evaluationSchema,
    labels: accounts.labels,
    report: reportTotals,
    extraction: accounts.extraction,
    benign_personas: accounts.benign_personas,
    benchmark: accounts.benchmark,
    campaigns,
    report_campaigns: measureReportCampaigns(labels, index),
    unknown_accounts: unknownAccounts,
    warnings: collectWarnings(
      labels,
      index,
      unknownAccounts,
      campaigns.some((row) => row.campaign_id === null),
    ),
  };
}

function findUnknownAccounts(labels: Labels, index: ReportIndex): UnknownAccounts {
  const unknown = index.mentionedIds.filter(
    (accountId) => !Object.hasOwn(labels.accounts, accountId),
  );
  return { count: unknown.length, examples: unknown.slice(0, exampleLimit) };
}

function collectWarnings(
  labels: Labels,
  index: ReportIndex,
  unknown: UnknownAccounts,
  campaignWithoutId: boolean,
): string[] {
  const warnings: string[] = [];
  const labelledCount = Object.keys(labels.accounts).length;
  if (labelledCount === 0) {
    warnings.push(
      'The labels list no accounts, so every ratio is n/a. Pass the labels file the simulator wrote for this traffic.',
    );
  }
  if (unknown.count > 0) {
    const allUnknown = unknown.count === index.mentionedIds.length;
    warnings.push(
      `${allUnknown ? 'None' : `${unknown.count} of ${index.mentionedIds.length}`} of the report's accounts ` +
        `${allUnknown ? 'is' : 'are not'} in the labels (e.g. ${unknown.examples.slice(0, 3).join(', ')}); ` +
        'they are left out of every count. The report and labels probably do not belong together: ' +
        'check that the report was made from the traffic these labels describe.',
    );
  }
  if (index.duplicateIds.length > 0) {
    warnings.push(
      `${index.duplicateIds.length} account id(s) are listed more than once in the report (e.g. ${index.duplicateIds.slice(0, 3).join(', ')}); ` +
        'only the first listing counts.',
    );
  }
  if (campaignWithoutId) {
    warnings.push(
      'Some campaign accounts are labelled without a campaign id; they are counted together as one campaign with id null.',
    );
  }
  return warnings;
}
