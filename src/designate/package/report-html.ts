// The evidence report as one self-contained HTML page (no script, no outside resource; a strict
// Content-Security-Policy), written for a lawyer, an export-control officer or a partner analyst:
// a summary, the charts, the signals and p-values in plain words, the case history, and what the
// evidence does not show.
import type { PackageFacts } from './package-facts.js';
import {
  capabilitiesChart,
  graphedPerKind,
  infrastructureGraph,
  timelineChart,
} from './report-charts.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ??
      character,
  );

const day = (iso: string | undefined | null) => (iso ? iso.slice(0, 10) : 'unknown');
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** "p = 3 × 10^-12" from a log10 p-value, and what it means. */
export function plainPValue(log10: number): string {
  if (log10 > -3) return `p = ${Math.pow(10, log10).toFixed(3)}`;
  const exponent = Math.floor(log10);
  const mantissa = Math.pow(10, log10 - exponent);
  return `p = ${mantissa.toFixed(1)} × 10^${exponent}`;
}

function capabilitiesSentence(facts: PackageFacts): string {
  const entries = Object.entries(facts.campaign.capabilities ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, share]) => `${name.replace(/_/g, ' ')} (${Math.round(share * 100)}%)`);
  return entries.length > 0 ? ` Its requests targeted ${entries.join(', ')}.` : '';
}

function auditSentence(facts: PackageFacts): string {
  const found = facts.audits.filter((audit) => audit.verdict === 'radioactive');
  if (found.length === 0)
    return facts.audits.length > 0
      ? ` ${facts.audits.length} watermark audit(s) are attached; none found our watermark in the suspect model.`
      : '';
  const best = found.sort((a, b) => (a.log10PValue ?? 0) - (b.log10PValue ?? 0))[0];
  return ` A watermark audit of the suspect model ${best.suspectModel ?? ''} found our watermark (${plainPValue(best.log10PValue ?? 0)}${best.namedCohort ? `; the leaking cohort named: ${best.namedCohort}` : ''}).`;
}

function infrastructureSentence(facts: PackageFacts): string {
  const counts = new Map<string, number>();
  for (const item of facts.infrastructure) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  const plural = (kind: string, count: number) =>
    `${count} ${kind === 'email domain' ? 'email domain' : kind === 'card' ? 'payment card' : 'network (/24)'}${count === 1 ? '' : 's'}`;
  const parts = [...counts].map(([kind, count]) => plural(kind, count));
  return parts.length > 0
    ? ` Two or more of its accounts share each of ${parts.join(', ').replace(/, ([^,]*)$/, ' and $1')}.`
    : '';
}

export function summaryParagraph(facts: PackageFacts): string {
  const campaign = facts.campaign;
  const reviewers = [
    ...new Set(facts.events.filter((event) => event.kind === 'approval').map((e) => e.actor)),
  ];
  const reasons = campaign.reasons
    .slice(0, 2)
    .map((reason) => reason.detail)
    .join('; ');
  return (
    `Campaign ${facts.campaignLabel}: ${facts.accounts.length} accounts sent ${campaign.interactions ?? 'an unknown number of'} requests between ${day(campaign.first_seen)} and ${day(campaign.last_seen)}, acting together. ` +
    `The detector scored the campaign at risk ${campaign.risk.toFixed(2)} of 1 because ${reasons || 'of the signals listed below'}.` +
    capabilitiesSentence(facts) +
    infrastructureSentence(facts) +
    auditSentence(facts) +
    ` Case ${facts.caseRow.caseId} was opened by ${facts.caseRow.openedBy} on ${day(facts.caseRow.openedAt)}${reviewers.length > 0 ? `, reviewed by ${reviewers.join(' and ')}` : ''}, and is now ${facts.caseRow.state}${facts.caseRow.expiresAt && ['designated', 'upheld'].includes(facts.caseRow.state) ? ` until ${day(facts.caseRow.expiresAt)}` : ''}.`
  );
}

/** Limits of the evidence, stated plainly, some depending on what is attached. */
export function whatItDoesNotShow(facts: PackageFacts): string[] {
  const limits = [
    'Who operates the accounts. Accounts are grouped by shared behaviour, payment, email domains, networks and timing, not by identity; the operator is inferred, not known.',
    'Intent. The signals are statistical: they show traffic shaped like output harvesting (volume, templates, coverage, timing), which a determined benign user could in rare cases resemble.',
    'Traffic outside the stored window or from accounts outside this campaign; other accounts of the same operator may exist.',
  ];
  if (facts.audits.length === 0)
    limits.push(
      'That any model was trained on these outputs: no watermark audit is attached to this case.',
    );
  else if (facts.audits.every((audit) => audit.verdict !== 'radioactive'))
    limits.push(
      'That the audited model was trained on these outputs: the attached audits did not detect our watermark (absence of evidence at the audit’s power, not proof of absence).',
    );
  else
    limits.push(
      'Which accounts delivered the text a suspect model learned from, unless the audit names a cohort; and a radioactive result shows training on our marked outputs, not on this campaign’s alone.',
    );
  if (facts.sightings === 0)
    limits.push('Activity seen by partners: no partner sighting is attached to this case.');
  if (!facts.includeRaw)
    limits.push(
      'The raw exchanges and the accounts’ identities: they stay with the provider; accounts, cards, domains and networks appear as keyed pseudonyms.',
    );
  return limits;
}

const styles = `
  @page { size: A4; margin: 16mm 14mm; }
  body { font: 11pt/1.45 sans-serif; color: #1a1a1a; max-width: 760px; margin: 24px auto; }
  h1 { font-size: 18pt; margin: 0 0 4px; }
  h2 { font-size: 13pt; margin: 22px 0 6px; border-bottom: 1px solid #ccc; padding-bottom: 2px; }
  .meta { color: #555; font-size: 9.5pt; }
  .tlp { display: inline-block; background: #000; color: #FFC000; font-weight: bold; padding: 1px 6px; }
  .summary { font-size: 11.5pt; background: #f4f7fb; border-left: 4px solid #0072B2; padding: 8px 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
  th, td { border-bottom: 1px solid #e2e2e2; padding: 3px 6px; text-align: left; vertical-align: top; }
  th { background: #f2f2f2; }
  figure { margin: 8px 0; page-break-inside: avoid; }
  figcaption { font-size: 9pt; color: #555; }
  .chart svg { max-width: 100%; height: auto; }
  .first-page { page-break-after: always; }
  .draft { color: #D55E00; font-weight: bold; }
  ul.limits li { margin-bottom: 4px; }
  code { font-size: 9pt; word-break: break-all; }
`;

export interface ReportContext {
  organization: string;
  tlp: string;
  /** Entries of this case in the log, and the checkpoint they are proved against. */
  logEntries: number;
  checkpointSize: number;
  verifierKey: string;
}

export function reportHtml(facts: PackageFacts, context: ReportContext): string {
  const campaign = facts.campaign;
  const capabilities = capabilitiesChart(facts);
  const graph = infrastructureGraph(facts);
  const infrastructureRows = facts.infrastructure
    .slice(0, 40)
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.kind)}</td><td><code>${escapeHtml(item.label)}</code></td><td>${item.members.length}</td></tr>`,
    )
    .join('');
  const reasonRows = campaign.reasons
    .map(
      (reason) =>
        `<tr><td>${escapeHtml(reason.signal.replace(/_/g, ' '))}</td><td>${escapeHtml(reason.detail)}</td><td>${reason.weight !== undefined ? reason.weight.toFixed(2) : ''}</td></tr>`,
    )
    .join('');
  const auditRows = facts.audits
    .map(
      (audit) =>
        `<tr><td>${escapeHtml(audit.name)}</td><td>${escapeHtml(audit.verdict.replace(/_/g, ' '))}</td><td>${audit.log10PValue !== null ? escapeHtml(plainPValue(audit.log10PValue)) : ''}</td><td>${escapeHtml(audit.suspectModel ?? '')}</td><td>${audit.scoredTuples ?? ''}</td><td>${escapeHtml(audit.namedCohort ?? 'none named')}</td></tr>`,
    )
    .join('');
  const historyRows = facts.events
    .map((event) => {
      const step =
        event.kind === 'approval'
          ? `approved the step to ${event.toState}`
          : event.kind === 'attachment'
            ? `attached ${(JSON.parse(event.detail) as { kind: string; name: string }).kind} “${(JSON.parse(event.detail) as { name: string }).name}”`
            : event.kind === 'opened'
              ? 'opened the case'
              : `${event.fromState} → ${event.toState}`;
      const detail = JSON.parse(event.detail) as { expires_at?: string; statement?: string };
      const extra = [
        detail.expires_at ? `expires ${day(detail.expires_at)}` : '',
        detail.statement
          ? facts.includeRaw
            ? `appellant: “${detail.statement}”`
            : 'appellant’s statement recorded (kept by the provider)'
          : '',
      ]
        .filter(Boolean)
        .join('; ');
      return `<tr><td>${escapeHtml(when(event.at))}</td><td>${escapeHtml(event.actor)} (${escapeHtml(event.role)})</td><td>${escapeHtml(step)}</td><td>${escapeHtml([event.reason ?? '', extra].filter(Boolean).join(' — '))}</td><td>${event.logIndex ?? ''}</td></tr>`;
    })
    .join('');
  const release = facts.release
    ? `The dashed line marks when ${escapeHtml(facts.release.model)} first appeared in the provider's traffic (${escapeHtml(when(new Date(facts.release.firstMs).toISOString()))}): a model release, as far as the traffic shows.`
    : 'The campaign used one model throughout: no release falls within its traffic.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Evidence report: ${escapeHtml(facts.caseRow.caseId)}, campaign ${escapeHtml(facts.campaignLabel)}</title>
<style>${styles}</style>
</head>
<body>
<section class="first-page">
<p class="meta"><span class="tlp">TLP:${escapeHtml(context.tlp.toUpperCase())}</span> ${escapeHtml(context.organization)} · generated ${escapeHtml(when(facts.generatedAt))}</p>
<h1>Evidence report: campaign ${escapeHtml(facts.campaignLabel)}</h1>
${['opened', 'evidence', 'internal-review'].includes(facts.caseRow.state) ? '<p class="draft">Draft: this case has not passed its two-person review; it is not for sharing.</p>' : ''}
<p class="meta">Case ${escapeHtml(facts.caseRow.caseId)} · state: <strong>${escapeHtml(facts.caseRow.state)}</strong> · ${facts.accounts.length} accounts · risk ${campaign.risk.toFixed(2)}</p>
<h2>Summary</h2>
<p class="summary">${escapeHtml(summaryParagraph(facts))}</p>
<h2>Traffic over time</h2>
<figure class="chart">${timelineChart(facts)}<figcaption>${release}</figcaption></figure>
</section>
<h2>Accounts and shared infrastructure</h2>
${graph ? `<figure class="chart">${graph}<figcaption>Each small circle is an account of the campaign; each square a payment card, email domain or network (/24) that two or more of them share (at most ${graphedPerKind} of each kind, the most shared first).${facts.includeRaw ? '' : ' Names are keyed pseudonyms: the provider can resolve them; no one else can.'}</figcaption></figure>` : '<p>The accounts share no card, email domain or network.</p>'}
${infrastructureRows ? `<table><tr><th>kind</th><th>name</th><th>accounts</th></tr>${infrastructureRows}</table>` : ''}
<p>${facts.sharedTemplates > 0 ? `The accounts also share ${facts.sharedTemplates} prompt templates: the same fixed wording around changing content, which harvesting tools produce.` : ''}</p>
<h2>Capabilities targeted</h2>
${capabilities ? `<figure class="chart">${capabilities}<figcaption>Share of the campaign's requests per capability.</figcaption></figure>` : '<p>Not measured for this campaign.</p>'}
<h2>Decisive signals</h2>
<table><tr><th>signal</th><th>what was seen</th><th>weight</th></tr>${reasonRows}</table>
${
  auditRows
    ? `<h2>Watermark audits</h2><p>A p-value here is the chance that a model never trained on our watermarked outputs would score this high. Wrong keys are scored the same way as a control.</p><table><tr><th>attachment</th><th>verdict</th><th>p-value</th><th>suspect model</th><th>tokens scored</th><th>cohort</th></tr>${auditRows}</table>`
    : ''
}
<h2>Case history</h2>
<table><tr><th>when</th><th>who</th><th>step</th><th>reason</th><th>log entry</th></tr>${historyRows}</table>
<h2>What this evidence does not show</h2>
<ul class="limits">${whatItDoesNotShow(facts)
    .map((limit) => `<li>${escapeHtml(limit)}</li>`)
    .join('')}</ul>
<h2>How to check it</h2>
<p>Every step above is an entry of the provider's append-only transparency log. This package holds ${context.logEntries} of them, each with its inclusion proof to a checkpoint of ${context.checkpointSize} entries signed by the log key <code>${escapeHtml(context.verifierKey)}</code>. <code>verify.txt</code> in this package says how to check them and every file's hash with the project's own commands.</p>
</body>
</html>
`;
}
