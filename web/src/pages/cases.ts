// The cases: every case with its state, and (for analysts) a form to open one on a campaign. One
// case's page is in case.ts.
import { api } from '../api.js';
import { badge, fill, h, link, section, when } from '../dom.js';
import type { Page } from '../app.js';
import type { CaseSummary, CaseView } from './case-types.js';
import { campaignHref, caseHref, code, failureBox, field, mayDo, plainTable } from './parts.js';

export { casePage } from './case.js';

function casesTable(cases: CaseSummary[]): HTMLElement {
  return plainTable(
    'Cases',
    [
      { title: 'Case' },
      { title: 'Campaign' },
      { title: 'State' },
      { title: 'Opened by' },
      { title: 'Opened' },
      { title: 'Expires' },
    ],
    cases.map((row) => [
      link(caseHref(row.case_id), row.case_id),
      link(campaignHref(row.campaign_id), row.campaign_id),
      badge(row.state),
      row.opened_by,
      when(row.opened_at),
      row.expires_at ? when(row.expires_at) : '—',
    ]),
    [
      'No cases yet. An analyst opens one from a campaign’s page, with the form below, or with ',
      code('distillguard cases open --campaign ID'),
      '.',
    ],
  );
}

function openForm(): HTMLElement {
  const campaign = h('input', {
    type: 'text',
    name: 'campaign_id',
    required: true,
    autocomplete: 'off',
  });
  const reason = h('textarea', { name: 'reason', rows: 3 });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Open the case');
  const form = h(
    'form',
    { 'aria-label': 'Open a case' },
    field(
      'open-campaign',
      'Campaign id',
      campaign,
      'As the overview lists it, for example cmp_2ejwj7m.',
    ),
    field(
      'open-reason',
      'Reason (optional)',
      reason,
      'Why the campaign deserves a case; it goes into the log.',
    ),
    submit,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const opened = await api<CaseView>('/cases', {
        method: 'POST',
        body: {
          campaign_id: campaign.value.trim(),
          ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
        },
      });
      location.hash = caseHref(opened.case_id);
    } catch (error) {
      fill(status, failureBox(error));
      submit.disabled = false;
    }
  });
  return form;
}

export const casesPage: Page = async (main, _params, { me }) => {
  const { cases } = await api<{ cases: CaseSummary[] }>('/cases');
  fill(
    main,
    h('h1', {}, 'Cases'),
    h(
      'p',
      { class: 'muted' },
      'A case takes a campaign from evidence through a two-person review to sharing, nomination and designation; every step is signed into the transparency log.',
    ),
    section('All cases', casesTable(cases)),
    section(
      'Open a case',
      mayDo(me, 'open-case')
        ? openForm()
        : h(
            'p',
            { class: 'notice' },
            `Opening a case needs the analyst role; you are signed in as ${me.role}.`,
          ),
    ),
  );
};
