// One audit's result, for a reader who must defend it: the verdict and its p-value in words, the
// scored tuples, the named cohort, the wrong keys' null distribution with the real key marked, and
// the method (Sander et al. 2024, "Watermarking makes language models radioactive").
import type { EChartsOption } from 'echarts';
import { chart, palette } from '../charts.js';
import { badge, count, h, pValue, when, type Child } from '../dom.js';
import { code, keyValues, plainTable } from './parts.js';

/** An audit as GET /audits lists it. */
export interface AuditView {
  audit_id: string;
  started_by: string;
  started_at: string;
  finished_at: string | null;
  /** 'running', 'done' or 'failed'. */
  status: string;
  request: Record<string, unknown> | null;
  verdict: string | null;
  log10_p_value: number | null;
  scored_tuples: number | null;
  named_cohort: string | null;
  error: string | null;
}

type Quantile = 'min' | 'q01' | 'q05' | 'q25' | 'median' | 'q75' | 'q95' | 'q99' | 'max';

/** The parts of the audit evidence (src/audit/run-audit.ts, AuditEvidence) this page shows. */
export interface AuditEvidence {
  verdict: string;
  alpha: number;
  log10_p_value: number;
  scored_tuples: number;
  statistic: number;
  expected_statistic: number;
  null?: {
    keys: number;
    key_source: string;
    log10_p_quantiles: Record<Quantile, number>;
    at_or_below_real: number;
    real_key_rank: number;
    empirical_p_value: number;
  } | null;
  key?: { key_id: string; scheme: string; cohort: string | null };
  suspect?: { url: string; model: string };
  method?: Record<string, string>;
  counts?: Record<string, number | null>;
  cohorts?: {
    alpha: number;
    named_cohort: string | null;
    keys: {
      cohort: string;
      key_id: string;
      scored_tuples: number;
      log10_p_value: number;
      adjusted_log10_p_value: number;
    }[];
  } | null;
}

export type AuditDetail = AuditView & { evidence: AuditEvidence | null };

const quantiles: [Quantile, string][] = [
  ['min', 'lowest'],
  ['q01', '1%'],
  ['q05', '5%'],
  ['q25', '25%'],
  ['median', 'median'],
  ['q75', '75%'],
  ['q95', '95%'],
  ['q99', '99%'],
  ['max', 'highest'],
];

const methodLabels: Record<string, string> = {
  test: 'Test',
  tokenizer: 'Tokenizer',
  normalisation: 'Normalisation',
  deduplication: 'Deduplication',
  prompt_filter: 'Prompt filter',
  served_filter: 'Served filter',
  reference: 'Reference',
};

const countLabels: Record<string, string> = {
  prompts: 'Prompts asked',
  samples_per_prompt: 'Answers per prompt',
  answers: 'Answers scored',
  answers_reused: 'Answers reused',
  requests_sent: 'Requests sent',
  answers_failed: 'Answers that failed',
  prompt_lines_rejected: 'Prompt lines rejected',
  served_texts: 'Served texts',
};

/** A significance level as people write it: 0.01, 1e-6. */
const small = (value: number): string => (value < 0.001 ? value.toExponential(0) : String(value));

/** "p ≈ 1e-12: the chance that an unmarked model's answers score this high". */
export function pValueInWords(log10: number): string {
  return `${pValue(log10)}: the chance that an unmarked model's answers score this high`;
}

function verdictSentence(evidence: AuditEvidence): string {
  const alpha = `the significance level ${small(evidence.alpha)}`;
  switch (evidence.verdict) {
    case 'radioactive':
      return `The suspect's answers carry our watermark: an unmarked model scores this high with ${pValue(evidence.log10_p_value)}, below ${alpha}.`;
    case 'not_detected':
      return `No watermark found at ${alpha}: answers like these are what an unmarked model gives. This does not show the model was not trained on our outputs; more prompts give the test more power.`;
    case 'too_few_tuples':
      return `Too few scored tuples (${count(evidence.scored_tuples)}) for a verdict: ask more prompts, or for longer answers.`;
    default:
      return `Verdict: ${evidence.verdict}.`;
  }
}

function nullOption(quantileValues: Record<Quantile, number>, realLog10: number): EChartsOption {
  const labels = quantiles.map(([, label]) => label);
  return {
    color: [palette.blue, palette.vermillion],
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { top: 0 },
    grid: { left: 64, right: 24, top: 32, bottom: 48 },
    xAxis: {
      type: 'category',
      data: labels,
      name: 'quantile of the wrong keys',
      nameLocation: 'middle',
      nameGap: 30,
    },
    yAxis: { type: 'value', name: 'log10 p', max: 0 },
    series: [
      {
        name: 'wrong keys',
        type: 'line',
        data: quantiles.map(([key]) => quantileValues[key]),
        symbolSize: 7,
      },
      {
        // a flat series rather than a markLine, so that the axis reaches down to the real key
        name: `real key (${pValue(realLog10)})`,
        type: 'line',
        data: labels.map(() => realLog10),
        symbol: 'none',
        lineStyle: { type: 'dashed', width: 2 },
      },
    ],
  };
}

/** The null-distribution panel and how to draw it once it is in the page. */
function nullPanel(evidence: AuditEvidence): { element: Child; draw: () => void } {
  const summary = evidence.null;
  if (!summary || summary.keys === 0)
    return {
      element: h('p', { class: 'muted' }, 'No wrong keys were scored, so no null distribution.'),
      draw: () => undefined,
    };
  const q = summary.log10_p_quantiles;
  const text = `${count(summary.keys)} wrong keys (${summary.key_source}) scored on the same answers: median ${pValue(q.median)}, the best 1% at or below ${pValue(q.q01)}. The real key: ${pValue(evidence.log10_p_value)}; ${count(summary.at_or_below_real)} wrong keys scored as well (rank ${summary.real_key_rank}, empirical p = ${summary.empirical_p_value.toPrecision(2)}).`;
  const element = h('div', { class: 'chart' });
  return {
    element: [h('p', {}, text), element],
    draw: () =>
      chart(
        element,
        `Wrong keys' log10 p-values by quantile; ${text}`,
        nullOption(q, evidence.log10_p_value),
      ),
  };
}

function cohortsTable(evidence: AuditEvidence): Child {
  const cohorts = evidence.cohorts;
  if (!cohorts)
    return h('p', { class: 'muted' }, 'No cohort keys were given, so no cohort is named.');
  return [
    h(
      'p',
      {},
      cohorts.named_cohort
        ? `Named cohort: ${cohorts.named_cohort} (Holm-corrected at ${small(cohorts.alpha)}).`
        : `No cohort key stands out at ${small(cohorts.alpha)} (Holm-corrected).`,
    ),
    plainTable(
      'Cohort keys',
      [
        { title: 'Cohort' },
        { title: 'Key' },
        { title: 'Scored tuples', numeric: true },
        { title: 'p-value' },
        { title: 'Holm-adjusted' },
      ],
      cohorts.keys.map((key) => [
        key.cohort,
        code(key.key_id),
        count(key.scored_tuples),
        pValue(key.log10_p_value),
        pValue(key.adjusted_log10_p_value),
      ]),
      'No cohort keys.',
    ),
  ];
}

function methodList(evidence: AuditEvidence): Child {
  const method = evidence.method ?? {};
  const counts = evidence.counts ?? {};
  return [
    h('h3', {}, 'Method'),
    keyValues(Object.entries(method).map(([name, value]) => [methodLabels[name] ?? name, value])),
    h('h3', {}, 'Counts'),
    keyValues(
      Object.entries(countLabels)
        .filter(([name]) => counts[name] !== undefined && counts[name] !== null)
        .map(([name, label]) => [label, count(counts[name] as number)]),
    ),
  ];
}

function finishedResult(
  detail: AuditDetail,
  evidence: AuditEvidence,
): { body: Child; draw: () => void } {
  const nullDistribution = nullPanel(evidence);
  const body = [
    h('p', {}, badge(evidence.verdict), ' ', verdictSentence(evidence)),
    keyValues([
      ['p-value', pValueInWords(evidence.log10_p_value)],
      ['Scored tuples', count(evidence.scored_tuples)],
      [
        'Score',
        `${evidence.statistic.toFixed(1)} (an unmarked model: ${evidence.expected_statistic.toFixed(1)} expected)`,
      ],
      ['Named cohort', detail.named_cohort ?? 'none'],
      ['Suspect', evidence.suspect ? `${evidence.suspect.model} at ${evidence.suspect.url}` : null],
      ['Key', evidence.key ? `${evidence.key.key_id} (${evidence.key.scheme})` : null],
      ['Started', `${when(detail.started_at)} by ${detail.started_by}`],
      ['Finished', when(detail.finished_at)],
    ]),
    h('h3', {}, 'The wrong keys: what chance alone scores'),
    nullDistribution.element,
    h('h3', {}, 'Cohorts'),
    cohortsTable(evidence),
    methodList(evidence),
  ];
  return { body, draw: nullDistribution.draw };
}

/**
 * The result of an audit as a panel's content: progress while it runs, the server's error when it
 * failed, the evidence when done. `draw` draws its chart once the content is in the page.
 */
export function auditResult(detail: AuditDetail): { body: Child; draw: () => void } {
  const none = () => undefined;
  if (detail.status === 'running')
    return {
      body: h(
        'p',
        { 'aria-busy': 'true' },
        `Running since ${when(detail.started_at)}, started by ${detail.started_by}; this page checks every 2 seconds.`,
      ),
      draw: none,
    };
  if (detail.status === 'failed' || !detail.evidence)
    return {
      body: h(
        'p',
        { class: 'error', role: 'alert' },
        `The audit failed: ${detail.error ?? 'the server recorded no evidence.'}`,
      ),
      draw: none,
    };
  return finishedResult(detail, detail.evidence);
}
