// Watermark audits: the list, a form to start one (analysts), and one audit's result. A running
// audit is polled every 2 seconds until it is done or the page is left.
import { api, type Me } from '../api.js';
import { badge, count, fill, h, pValue, section, when } from '../dom.js';
import type { Page } from '../app.js';
import { auditResult, type AuditDetail, type AuditView } from './audit-result.js';
import { code, failureBox, field, mayDo, pause, plainTable } from './parts.js';

interface AuditListing {
  can_start: boolean;
  /** Why audits cannot be started on this server, when they cannot. */
  unavailable: string | null;
  audits: AuditView[];
}

const pollMs = 2_000;

/** What was asked, as far as the request says. */
function suspectOf(audit: AuditView): string {
  const request = audit.request ?? {};
  const model = typeof request.model === 'string' ? request.model : null;
  const url = typeof request.suspect_url === 'string' ? request.suspect_url : null;
  return [model, url && `at ${url}`].filter(Boolean).join(' ') || '—';
}

/** The page's state: the audits, the one shown, and those being watched. */
class AuditDesk {
  readonly listHolder = h('div');
  readonly result = h('div');
  readonly resultPanel = h(
    'section',
    {
      class: 'panel',
      'aria-labelledby': 'audit-result-title',
      'data-testid': 'audit-result',
      hidden: true,
    },
    h('h2', { id: 'audit-result-title' }, 'Result'),
    this.result,
  );
  private selected: string | null = null;
  private readonly watched = new Set<string>();

  constructor(
    private audits: AuditView[],
    private readonly signal: AbortSignal,
  ) {}

  renderList(): void {
    fill(
      this.listHolder,
      plainTable(
        'Audits, newest first',
        [
          { title: 'Audit', nowrap: true },
          { title: 'Status' },
          { title: 'Verdict' },
          { title: 'p-value', nowrap: true },
          { title: 'Scored tuples', numeric: true },
          { title: 'Named cohort' },
          { title: 'Suspect' },
          { title: 'Started by' },
          { title: 'Started', nowrap: true },
          { title: 'Result' },
        ],
        this.audits.map((audit) => [
          audit.audit_id,
          badge(audit.status),
          audit.verdict ? badge(audit.verdict) : '—',
          pValue(audit.log10_p_value),
          audit.scored_tuples === null ? '—' : count(audit.scored_tuples),
          audit.named_cohort ?? '—',
          suspectOf(audit),
          audit.started_by,
          when(audit.started_at),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'aria-label': `Show the result of ${audit.audit_id}`,
              onclick: () => void this.show(audit.audit_id),
            },
            'Show',
          ),
        ]),
        [
          'No audits yet. An analyst starts one above, or from the command line with ',
          code('distillguard audit'),
          '.',
        ],
      ),
    );
  }

  /** Adds or replaces an audit in the list (newest first). */
  update(audit: AuditView): void {
    const index = this.audits.findIndex((item) => item.audit_id === audit.audit_id);
    if (index >= 0) this.audits[index] = audit;
    else this.audits.unshift(audit);
    this.renderList();
  }

  /** Shows one audit's result; keeps watching it while it runs. */
  async show(auditId: string): Promise<void> {
    this.selected = auditId;
    this.resultPanel.hidden = false;
    fill(this.result, h('p', { class: 'muted', 'aria-busy': 'true' }, `Loading ${auditId}…`));
    try {
      this.paint(await api<AuditDetail>(`/audits/${encodeURIComponent(auditId)}`));
    } catch (error) {
      fill(this.result, failureBox(error));
    }
    this.resultPanel.scrollIntoView({ block: 'nearest' });
    this.watch(auditId);
  }

  private paint(detail: AuditDetail): void {
    if (this.selected !== detail.audit_id || this.signal.aborted) return;
    const shown = auditResult(detail);
    fill(this.result, h('h3', {}, detail.audit_id), shown.body);
    shown.draw();
  }

  /** Polls a running audit every 2 s until it is done or the page is left. */
  watch(auditId: string): void {
    if (this.watched.has(auditId)) return;
    const audit = this.audits.find((item) => item.audit_id === auditId);
    if (audit && audit.status !== 'running') return;
    this.watched.add(auditId);
    void this.poll(auditId).finally(() => this.watched.delete(auditId));
  }

  private async poll(auditId: string): Promise<void> {
    while (await pause(pollMs, this.signal)) {
      let detail: AuditDetail;
      try {
        detail = await api<AuditDetail>(`/audits/${encodeURIComponent(auditId)}`);
      } catch {
        continue; // a failed poll is tried again; the list keeps its last state
      }
      if (this.signal.aborted) return;
      const { evidence: _evidence, ...listed } = detail;
      this.update(listed);
      if (this.selected === auditId) this.paint(detail);
      if (detail.status !== 'running') return;
    }
  }
}

function startForm(
  me: Me,
  listing: AuditListing,
  desk: AuditDesk,
  campaigns: { campaign_id: string; account_count: number; risk: number }[],
): HTMLElement {
  if (!mayDo(me, 'audit'))
    return section(
      'Start an audit',
      h(
        'p',
        { class: 'notice' },
        `Starting an audit needs the analyst role; you are signed in as ${me.role}. You can read every audit and its evidence below.`,
      ),
    );
  const suspect = h('input', {
    type: 'url',
    name: 'suspect_url',
    required: true,
    placeholder: 'http://suspect.example:8000/v1',
  });
  const model = h('input', { type: 'text', name: 'model', required: true, autocomplete: 'off' });
  const prompts = h('input', {
    type: 'number',
    name: 'prompts',
    min: 1,
    step: 1,
    value: 200,
    required: true,
  });
  // the gateway marks each campaign's answers with its tracer cohort's key: the audit tests that
  // key, and scores every cohort's beside it so that the leaking cohort is named
  const traced = h(
    'select',
    { name: 'traced', required: true },
    campaigns.map((campaign) =>
      h(
        'option',
        { value: `campaign:${campaign.campaign_id}` },
        `${campaign.campaign_id} (${campaign.account_count} accounts, risk ${campaign.risk.toFixed(2)})`,
      ),
    ),
    Array.from({ length: 16 }, (_unused, cohort) =>
      h('option', { value: `cohort:${cohort}` }, `tracer cohort ${cohort}`),
    ),
  );
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Start the audit');
  const fields = h(
    'fieldset',
    { class: 'plain', disabled: !listing.can_start, 'aria-label': 'The suspect model' },
    field(
      'audit-suspect',
      'Suspect API (base URL)',
      suspect,
      "As an OpenAI client's baseURL: the address ends in /v1.",
    ),
    field('audit-model', 'Model', model, 'The model name to ask the suspect for.'),
    field(
      'audit-traced',
      'Whose answers to trace',
      traced,
      "A campaign (its tracer cohort's key is tested) or a cohort; every cohort's key is scored beside it, so the leaking one is named.",
    ),
    field(
      'audit-prompts',
      'Number of prompts',
      prompts,
      'More prompts give more scored tuples, and a surer verdict.',
    ),
    submit,
  );
  const form = h('form', { 'aria-label': 'Start an audit' }, fields, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    fill(status, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Starting…'));
    try {
      const started = await api<AuditView>('/audits', {
        method: 'POST',
        body: {
          suspect_url: suspect.value.trim(),
          model: model.value.trim(),
          prompts: Number(prompts.value),
          ...(traced.value.startsWith('campaign:')
            ? { campaign_id: traced.value.slice('campaign:'.length) }
            : { cohort: Number(traced.value.slice('cohort:'.length)) }),
        },
      });
      fill(
        status,
        h(
          'p',
          { class: 'notice' },
          `Started ${started.audit_id}: its result appears below when it is done.`,
        ),
      );
      if (started.status) desk.update(started);
      void desk.show(started.audit_id);
    } catch (error) {
      fill(status, failureBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  return section(
    'Start an audit',
    listing.can_start
      ? null
      : h(
          'p',
          { class: 'notice', role: 'status' },
          `Audits cannot be started on this server: ${listing.unavailable ?? 'it has no watermark key.'}`,
        ),
    form,
  );
}

export const auditsPage: Page = async (main, _params, { me, signal }) => {
  const [listing, stored] = await Promise.all([
    api<AuditListing>('/audits'),
    api<{ campaigns: { campaign_id: string; account_count: number; risk: number }[] }>(
      '/campaigns',
    ),
  ]);
  const campaigns = [...stored.campaigns].sort((a, b) => b.risk - a.risk);
  const desk = new AuditDesk([...listing.audits], signal);
  desk.renderList();
  fill(
    main,
    h('h1', {}, 'Watermark audits'),
    h(
      'p',
      { class: 'muted' },
      'An audit asks a suspect model our prompts and tests its answers for the watermark we put on our own answers: a model trained on them carries the mark (Sander et al. 2024).',
    ),
    startForm(me, listing, desk, campaigns),
    section('Audits', desk.listHolder),
    desk.resultPanel,
  );
  for (const audit of listing.audits) if (audit.status === 'running') desk.watch(audit.audit_id);
};
