// The evidence report as one self-contained HTML page (no scripts, no external assets): method,
// counts, p-values, the wrong-key null and the limits, in words a non-specialist can follow.
import type { AuditEvidence } from './run-audit.js';

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** "1 in 10^12" style wording of a log10 p-value. */
export function describeLog10P(log10P: number): string {
  if (log10P > -2) return `${(10 ** log10P).toFixed(3)} (not unusual)`;
  return `about 1 in 10^${Math.floor(-log10P)} (p = 10^${log10P.toFixed(1)})`;
}

const row = (label: string, value: string | number): string =>
  `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(typeof value === 'number' ? value.toLocaleString('en-US') : value)}</td></tr>`;

export function renderEvidenceHtml(evidence: AuditEvidence): string {
  const { counts, null: wrongKeys } = evidence;
  const q = wrongKeys.log10_p_quantiles;
  const finding =
    evidence.verdict === 'radioactive'
      ? `The suspect's answers carry our watermark. If the suspect had not learned from text marked with this key, a result this strong would happen by chance ${describeLog10P(evidence.log10_p_value)}.`
      : evidence.verdict === 'too_few_tuples'
        ? 'Too little text was scored to reach any conclusion. Ask the suspect more prompts.'
        : `The suspect's answers do not show our watermark at the chosen threshold (p = 10^${evidence.log10_p_value.toFixed(2)}, threshold ${evidence.alpha}). This does not prove the suspect was not trained on our outputs.`;
  const cohortRows = evidence.cohorts
    ? evidence.cohorts.keys
        .map(
          (entry) =>
            `<tr><td>${escapeHtml(entry.cohort)}</td><td>${escapeHtml(entry.key_id)}</td><td>10^${entry.log10_p_value.toFixed(2)}</td><td>10^${entry.adjusted_log10_p_value.toFixed(2)}</td></tr>`,
        )
        .join('\n')
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Radioactivity audit: ${escapeHtml(evidence.suspect.model)}</title>
<style>body{font-family:Georgia,serif;max-width:52em;margin:2em auto;line-height:1.5;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}th{background:#f3f3f3}.finding{font-size:1.15em;border-left:4px solid #555;padding-left:1em}</style>
</head><body>
<h1>Radioactivity audit</h1>
<p class="finding"><strong>Finding: ${escapeHtml(evidence.verdict.replace(/_/g, ' '))}.</strong> ${escapeHtml(finding)}</p>
<h2>What was tested</h2>
<p>We mark the text we serve with a secret key: for every position, the key splits the possible next words into a favoured share and the rest, and our model leans towards the favoured share. A model trained on enough of that text learns the lean. We asked the suspect model ${escapeHtml(evidence.suspect.model)} at ${escapeHtml(evidence.suspect.url)} ${counts.prompts.toLocaleString('en-US')} prompts and counted how often its words fall in the favoured share of our key, compared with how often they would by chance.</p>
<p>Method (Sander et al. 2024, "Watermarking Makes Language Models Radioactive", §4): all answers are cut into (preceding words, word) pairs; each distinct pair counts once, however often it appears; pairs that occur in our own prompts are removed, so that copying a prompt cannot produce the mark${evidence.method.served_filter === 'none' ? '' : '; only pairs whose preceding words appear in what we served to the accounts under investigation are kept'}. Test: ${escapeHtml(evidence.method.test)}.</p>
<table>
${row('Key', `${evidence.key.key_id} (${evidence.key.scheme}${evidence.key.cohort ? `, cohort ${evidence.key.cohort}` : ''}); the secret is not in this report`)}
${row('Prompts asked', counts.prompts)}${row('Prompt lines rejected', counts.prompt_lines_rejected)}${row('Answers', counts.answers)}${row('Failed requests', counts.answers_failed)}
${row('Word pairs in all answers', counts.tuples_total)}${row('Distinct pairs', counts.tuples_distinct)}${row('After removing pairs found in prompts', counts.tuples_after_prompt_filter)}${row('After the served-text filter', counts.tuples_after_served_filter)}
${row('Pairs scored', evidence.scored_tuples)}${row('Score (favoured pairs, or Gumbel sum)', evidence.statistic.toFixed(1))}${row('Score expected by chance', evidence.expected_statistic.toFixed(1))}
${row('p-value with our key', `10^${evidence.log10_p_value.toFixed(2)}`)}${row('Threshold', evidence.alpha)}
${row('Audit period', `${evidence.started_at} to ${evidence.finished_at}`)}
</table>
<h2>Control: ${wrongKeys.keys.toLocaleString('en-US')} wrong keys</h2>
<p>The same pairs were scored with ${wrongKeys.keys.toLocaleString('en-US')} random keys that were never used to mark anything. Their p-values show what chance alone produces on this very text. ${wrongKeys.at_or_below_real === 0 ? 'No wrong key scored as strongly as our key.' : `${wrongKeys.at_or_below_real} wrong keys scored at least as strongly as our key.`} Rank of our key among all keys: ${wrongKeys.real_key_rank}.</p>
<table><tr><th>wrong keys' log10 p</th><th>lowest</th><th>1%</th><th>5%</th><th>25%</th><th>median</th><th>75%</th><th>95%</th><th>highest</th></tr>
<tr><td></td>${[q.min, q.q01, q.q05, q.q25, q.median, q.q75, q.q95, q.max].map((value) => `<td>${value.toFixed(2)}</td>`).join('')}</tr></table>
${
  evidence.cohorts
    ? `<h2>Which accounts leaked</h2><p>Each group of suspect accounts (cohort) was served under its own key. The p-values below are corrected for testing ${evidence.cohorts.keys.length} keys at once (Holm 1979). ${evidence.cohorts.named_cohort ? `The cohort named is <strong>${escapeHtml(evidence.cohorts.named_cohort)}</strong>.` : 'No cohort reaches the threshold.'}</p>
<table><tr><th>cohort</th><th>key id</th><th>p</th><th>corrected p</th></tr>
${cohortRows}</table>`
    : ''
}
<h2>Limits</h2>
<ul>
<li>A p-value measures how unlikely the mark is by chance; it says nothing about intent, permission or who trained the suspect model.</li>
<li>The signal weakens when the harvested text was paraphrased, translated or mixed with much other text before training, and when the suspect was asked few prompts; a result that is not significant is not evidence of innocence.</li>
<li>The test assumes the suspect's answers were produced independently of our key; the wrong-key control above checks that assumption on this very text.</li>
<li>Scoring uses the cl100k_base tokenizer and the key's rules as documented in docs/provenance.md, so the result can be recomputed from the stored answers.</li>
</ul>
</body></html>
`;
}
