// Turns an EvaluationResult into the plain-text report `distillguard eval` prints for people.
// Machines should read the result itself (--json); this text may change between versions.
import type { EvaluationResult, PersonaVerdicts } from './evaluation-result.js';
import { formatCount, formatPercent, renderTable, type Column } from './text-table.js';

/**
 * Renders every section of the evaluation as aligned text: overall extraction verdicts, benign
 * personas, benchmark accounts, campaigns (recall + grouping), report campaigns (purity), warnings.
 */
export function formatEvaluationTable(result: EvaluationResult): string {
  return (
    [
      overallSection(result),
      benignSection(result),
      benchmarkSection(result),
      campaignSection(result),
      reportCampaignSection(result),
      warningSection(result),
    ].join('\n\n') + '\n'
  );
}

function overallSection(result: EvaluationResult): string {
  const { labels, report, extraction: metrics } = result;
  const flagged = metrics.true_positives + metrics.false_positives;
  const positives = metrics.true_positives + metrics.false_negatives;
  const negatives = metrics.false_positives + metrics.true_negatives;
  const rows = [
    ['True positives', formatCount(metrics.true_positives), 'campaign accounts flagged extraction'],
    [
      'False positives',
      formatCount(metrics.false_positives),
      'benign or benchmark accounts flagged extraction',
    ],
    [
      'False negatives',
      formatCount(metrics.false_negatives),
      'campaign accounts not flagged extraction',
    ],
    [
      'True negatives',
      formatCount(metrics.true_negatives),
      'benign or benchmark accounts not flagged',
    ],
    [
      'Precision',
      formatPercent(metrics.precision, 'n/a: nothing flagged'),
      `TP / flagged = ${formatCount(metrics.true_positives)} / ${formatCount(flagged)}`,
    ],
    [
      'Recall',
      formatPercent(metrics.recall, 'n/a: no campaign accounts'),
      `TP / campaign accounts = ${formatCount(metrics.true_positives)} / ${formatCount(positives)}`,
    ],
    [
      'False-positive rate',
      formatPercent(metrics.false_positive_rate, 'n/a: no other accounts'),
      `FP / non-campaign accounts = ${formatCount(metrics.false_positives)} / ${formatCount(negatives)}`,
    ],
  ];
  return [
    'Overall extraction verdicts',
    `  Labels: ${formatCount(labels.accounts)} accounts (benign ${formatCount(labels.benign)}, benchmark ${formatCount(labels.benchmark)}, campaign ${formatCount(labels.campaign)}).`,
    `  Report: ${formatCount(report.accounts)} accounts listed (extraction ${formatCount(report.extraction)}, review ${formatCount(report.review)}, ` +
      `benchmark ${formatCount(report.benchmark)}), ${formatCount(report.campaigns)} campaigns; unlisted accounts are judged normal.`,
    '',
    renderTable([left('Metric'), right('Value'), left('Computed as')], rows),
  ].join('\n');
}

function benignSection(result: EvaluationResult): string {
  if (result.benign_personas.length === 0)
    return 'Benign personas\n  No benign accounts in the labels.';
  return `Benign personas (extraction here is a false positive)\n${personaTable(result.benign_personas)}`;
}

function benchmarkSection(result: EvaluationResult): string {
  const { benchmark } = result;
  if (benchmark.accounts === 0) return 'Benchmark accounts\n  No benchmark accounts in the labels.';
  return [
    'Benchmark accounts (should be recognised, never flagged)',
    `  ${formatCount(benchmark.accounts)} accounts: recognised as benchmark ${formatCount(benchmark.benchmark)} (${formatPercent(benchmark.recognised_share)}), ` +
      `review ${formatCount(benchmark.review)}, flagged extraction ${formatCount(benchmark.extraction)} (${formatPercent(benchmark.extraction_share)}), ` +
      `not listed ${formatCount(benchmark.unflagged)}.`,
    '',
    personaTable(benchmark.personas),
  ].join('\n');
}

function personaTable(personas: PersonaVerdicts[]): string {
  const columns = [
    left('Persona'),
    right('Accounts'),
    right('Extraction'),
    right('Extr. share'),
    right('Review'),
    right('Review share'),
    right('Benchmark'),
    right('Not listed'),
  ];
  const rows = personas.map((row) => [
    row.persona ?? '(no persona)',
    formatCount(row.accounts),
    formatCount(row.extraction),
    formatPercent(row.extraction_share),
    formatCount(row.review),
    formatPercent(row.review_share),
    formatCount(row.benchmark),
    formatCount(row.unflagged),
  ]);
  return renderTable(columns, rows);
}

function campaignSection(result: EvaluationResult): string {
  if (result.campaigns.length === 0)
    return 'Campaigns (recall + grouping)\n  No campaign accounts in the labels.';
  const columns = [
    left('Campaign'),
    right('Accounts'),
    right('Extraction'),
    right('Recall'),
    right('Review'),
    right('Benchmark'),
    right('Ungrouped'),
    left('Largest report group'),
    right('Group share'),
    right('Report ids'),
  ];
  const rows = result.campaigns.map((row) => [
    row.campaign_id ?? '(no id)',
    formatCount(row.accounts),
    formatCount(row.extraction),
    formatPercent(row.recall),
    formatCount(row.review),
    formatCount(row.benchmark),
    formatCount(row.ungrouped),
    row.dominant_report_campaign ?? '-',
    formatPercent(row.grouping_share),
    formatCount(row.spread_over_report_campaigns),
  ]);
  return [
    'Campaigns (recall + grouping)',
    '  Group share: flagged accounts under the largest report campaign_id / all flagged (ungrouped ones included).',
    "  Report ids: distinct report campaign_ids over all the campaign's listed accounts (1 is ideal).",
    '',
    renderTable(columns, rows),
  ].join('\n');
}

function reportCampaignSection(result: EvaluationResult): string {
  if (result.report_campaigns.length === 0)
    return 'Report campaigns (purity)\n  The report names no campaigns.';
  const columns = [
    left('Report campaign'),
    right('Members'),
    right('Campaign'),
    right('Benign'),
    right('Benchmark'),
    right('Unknown'),
    left('Dominant campaign'),
    right('Purity'),
  ];
  const rows = result.report_campaigns.map((row) => [
    row.campaign_id,
    formatCount(row.accounts),
    formatCount(row.campaign_members),
    formatCount(row.benign_members),
    formatCount(row.benchmark_members),
    formatCount(row.unknown_members),
    row.dominant_campaign ?? '-',
    formatPercent(row.purity),
  ]);
  return [
    'Report campaigns (purity)',
    '  Purity: members from the dominant true campaign / labelled members; benign and benchmark members are impurity.',
    '',
    renderTable(columns, rows),
  ].join('\n');
}

function warningSection(result: EvaluationResult): string {
  const lines = ['Warnings'];
  const { unknown_accounts: unknown } = result;
  lines.push(
    `  Report accounts not in the labels: ${formatCount(unknown.count)}${unknown.count > 0 ? ` (${unknown.examples.join(', ')}${unknown.count > unknown.examples.length ? ', ...' : ''})` : ''}`,
  );
  if (result.warnings.length === 0) lines.push('  No other warnings.');
  for (const warning of result.warnings) lines.push(`  - ${warning}`);
  return lines.join('\n');
}

function left(header: string): Column {
  return { header, align: 'left' };
}

function right(header: string): Column {
  return { header, align: 'right' };
}
