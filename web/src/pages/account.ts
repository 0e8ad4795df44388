// One account: its verdict and the reasons in words, its facts (keyed pseudonyms for roles that do
// not read personal data), its requests over time, the models it used, the actions taken against
// it, and its exchanges.
import { api } from '../api.js';
import { chart, palette, timeSeriesOption } from '../charts.js';
import { badge, count, fill, h, link, section, when } from '../dom.js';
import type { Page } from '../app.js';
import { exchangesPanel } from './account-exchanges.js';
import { campaignHref, keyValues, plainTable, riskText, words } from './parts.js';

interface Reason {
  signal: string;
  detail: string;
  weight?: number;
}

interface AccountView {
  account_id: string;
  may_read_raw: boolean;
  facts: {
    created_ms: number | null;
    verification: string | null;
    organization: string | null;
    email_domain: string | null;
    card: string | null;
    country: string | null;
    signup_ip: string | null;
  } | null;
  finding: {
    verdict: string;
    risk: number;
    campaign_id: string | null;
    analysed_at: string;
    reasons: Reason[];
  } | null;
  traffic: {
    requests: number;
    first_ms: number;
    last_ms: number;
    input_tokens: number;
    output_tokens: number;
    bucket_ms: number;
    buckets: { t: number; requests: number }[];
    models: { model: string; requests: number }[];
  } | null;
  decisions: {
    ts: string;
    action: string;
    verdict: string | null;
    risk: number | null;
    campaign_id: string | null;
    reason: string;
  }[];
}

const dayMs = 86_400_000;
const muted = (text: string) => h('p', { class: 'muted' }, text);

function reasonItem(reason: Reason): HTMLElement {
  const weight =
    reason.weight === undefined
      ? null
      : h('span', { class: 'muted' }, ` (weight ${reason.weight > 0 ? '+' : ''}${reason.weight})`);
  return h('li', {}, h('strong', {}, words(reason.signal)), ': ', reason.detail, weight);
}

function verdictPanel(view: AccountView): HTMLElement {
  const { finding } = view;
  if (!finding) return section('Verdict', muted('The latest analysis did not flag this account.'));
  return section(
    'Verdict',
    keyValues([
      ['Verdict', badge(finding.verdict)],
      ['Risk', riskText(finding.risk)],
      [
        'Campaign',
        finding.campaign_id ? link(campaignHref(finding.campaign_id), finding.campaign_id) : 'none',
      ],
      ['Analysed', when(finding.analysed_at)],
    ]),
    h('h3', {}, 'Why'),
    finding.reasons.length === 0
      ? muted('The analysis gave no reasons.')
      : h('ul', { class: 'reasons' }, finding.reasons.map(reasonItem)),
  );
}

function factsPanel(view: AccountView): HTMLElement {
  const { facts } = view;
  if (!facts)
    return section(
      'Account',
      muted('No account record: the accounts file given to analyze did not list this account.'),
    );
  return section(
    'Account',
    keyValues([
      ['Created', when(facts.created_ms)],
      ['Verification', facts.verification ?? '—'],
      ['Organisation', facts.organization ?? '—'],
      ['E-mail domain', facts.email_domain ?? '—'],
      ['Payment card', facts.card ?? '—'],
      ['Country', facts.country ?? '—'],
      ['Sign-up address', facts.signup_ip ?? '—'],
    ]),
    view.may_read_raw
      ? null
      : muted(
          'Organisation, e-mail domain, card and address are keyed pseudonyms: your role does not read personal data.',
        ),
  );
}

/** The traffic panel, and how to draw its chart once the panel is in the page. */
function trafficPanel(view: AccountView): { panel: HTMLElement; draw: () => void } {
  const { traffic } = view;
  if (!traffic)
    return {
      panel: section('Requests over time', muted('No exchanges of this account are stored.')),
      draw: () => undefined,
    };
  const element = h('div', { class: 'chart' });
  const per = traffic.bucket_ms >= dayMs ? 'day' : 'hour';
  const panel = section(
    'Requests over time',
    muted(
      `${count(traffic.requests)} requests from ${when(traffic.first_ms)} to ${when(traffic.last_ms)}; ${count(traffic.input_tokens)} tokens in, ${count(traffic.output_tokens)} out. One bar per ${per}.`,
    ),
    element,
  );
  const points = traffic.buckets.map((bucket): [number, number] => [bucket.t, bucket.requests]);
  const draw = () =>
    chart(
      element,
      `Requests of account ${view.account_id} per ${per}, ${count(traffic.requests)} in all`,
      timeSeriesOption([{ name: 'requests', colour: palette.blue, points }]),
    );
  return { panel, draw };
}

function modelsPanel(view: AccountView): HTMLElement {
  return section(
    'Models used',
    plainTable(
      'Models used',
      [{ title: 'Model' }, { title: 'Requests', numeric: true }],
      (view.traffic?.models ?? []).map((model) => [model.model, count(model.requests)]),
      'No exchanges stored, so no models.',
    ),
  );
}

function decisionsPanel(view: AccountView): HTMLElement {
  return section(
    'Decision history',
    plainTable(
      'Decision history, newest first',
      [{ title: 'Time' }, { title: 'Action' }, { title: 'Verdict' }, { title: 'Reason' }],
      [...view.decisions]
        .reverse()
        .map((decision) => [
          when(decision.ts),
          badge(decision.action),
          decision.verdict ?? '—',
          decision.reason,
        ]),
      'No enforcement decision yet: the account is allowed as it is.',
    ),
  );
}

export const accountPage: Page = async (main, [accountId]) => {
  const view = await api<AccountView>(`/accounts/${encodeURIComponent(accountId)}`);
  const traffic = trafficPanel(view);
  fill(
    main,
    h('h1', {}, `Account ${view.account_id}`),
    h('div', { class: 'grid' }, verdictPanel(view), factsPanel(view)),
    traffic.panel,
    h('div', { class: 'grid' }, modelsPanel(view), decisionsPanel(view)),
    exchangesPanel(view.account_id, view.may_read_raw),
  );
  traffic.draw();
};
