// One case: its state, the steps it may take next (as buttons for the roles that take them, each
// asking for a reason and, where the step needs it, an expiry date or the appellant's statement),
// its history with log proofs, its attachments and the log's signed checkpoint.
import { api, type Me } from '../api.js';
import { badge, fill, h, link, section, when, type Child } from '../dom.js';
import type { Page } from '../app.js';
import { attachmentsPanel, checkpointPanel, historyPanel } from './case-history.js';
import type { CaseView, NextStep } from './case-types.js';
import { campaignHref, failureBox, field, keyValues, mayDo } from './parts.js';

/** An approval of a step, or the step itself. */
type StepKind = 'approve' | 'take';

const dayMs = 86_400_000;
const formId = 'case-step-form';

function summaryPanel(view: CaseView): HTMLElement {
  return section(
    'Summary',
    keyValues([
      ['State', badge(view.state)],
      ['Campaign', link(campaignHref(view.campaign_id), view.campaign_id)],
      ['Opened', `${when(view.opened_at)} by ${view.opened_by}`],
      ['Last change', when(view.updated_at)],
      ['Expires', view.expires_at ? when(view.expires_at) : null],
    ]),
  );
}

/** The step's inputs beyond the reason: an expiry date or the appellant's statement. */
function extraFields(step: NextStep, kind: StepKind): { fields: Child; values: () => object } {
  if (kind === 'take' && step.needs_expiry) {
    const tomorrow = new Date(Date.now() + dayMs).toISOString().slice(0, 10);
    const expires = h('input', { type: 'date', name: 'expires', required: true, min: tomorrow });
    return {
      fields: field(
        'step-expires',
        'Expires on',
        expires,
        'The day the designation lapses, in the future.',
      ),
      values: () => ({ expires: expires.value }),
    };
  }
  if (kind === 'take' && step.needs_statement) {
    const statement = h('textarea', { name: 'statement', rows: 6, required: true });
    return {
      fields: field(
        'step-statement',
        'Appellant’s statement',
        statement,
        'Kept in the store; the log records its hash.',
      ),
      values: () => ({ statement: statement.value }),
    };
  }
  return { fields: null, values: () => ({}) };
}

/** The form for one step: a reason (and what the step needs), posted as an approval or a transition. */
function stepForm(
  view: CaseView,
  step: NextStep,
  kind: StepKind,
  done: (view: CaseView, message: string) => void,
  cancel: () => void,
): HTMLElement {
  const reason = h('textarea', { name: 'reason', rows: 3, required: true });
  const extra = extraFields(step, kind);
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h(
    'button',
    { type: 'submit' },
    kind === 'approve' ? 'Approve' : `Move to ${step.to}`,
  );
  const back = h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel');
  const title =
    kind === 'approve' ? `Approve the step to ${step.to}` : `Move the case to ${step.to}`;
  const form = h(
    'form',
    { id: formId, 'aria-labelledby': `${formId}-title` },
    h('h3', { id: `${formId}-title` }, title),
    h('p', { class: 'muted' }, step.meaning),
    field(
      'step-reason',
      'Reason',
      reason,
      'Recorded with your name and role in the case and the log.',
    ),
    extra.fields,
    h('div', { class: 'actions' }, submit, back),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const path = `/cases/${encodeURIComponent(view.case_id)}/${kind === 'approve' ? 'approvals' : 'transitions'}`;
    try {
      const next = await api<CaseView>(path, {
        method: 'POST',
        body: { to: step.to, reason: reason.value, ...extra.values() },
      });
      const approved = next.next_steps.find((item) => item.to === step.to)?.approved_by ?? [];
      done(
        next,
        kind === 'approve'
          ? `Approved the step to ${step.to}: ${approved.length} of 2 approvals (${approved.join(', ')}).`
          : `The case is now ${next.state}.`,
      );
    } catch (error) {
      fill(status, failureBox(error));
      submit.disabled = false;
    }
  });
  return form;
}

function approvalsLine(step: NextStep): Child {
  if (!step.approvals) return null;
  const names = step.approved_by.length > 0 ? ` (${step.approved_by.join(', ')})` : '';
  return h(
    'p',
    { class: 'muted' },
    `Approvals: ${step.approved_by.length} of 2${names}. Two different reviewers approve, then the ${step.roles.join(' or ')} takes the step.`,
    step.warning_check
      ? ' The campaign’s accounts are checked against the benchmark and research warning list first.'
      : '',
  );
}

function stepsPanel(
  view: CaseView,
  me: Me,
  done: (view: CaseView, message: string) => void,
): HTMLElement {
  if (view.next_steps.length === 0)
    return section(
      'Next steps',
      h('p', { class: 'muted' }, `None: ${view.state} is a final state.`),
    );
  const formHolder = h('div');
  const open = (step: NextStep, kind: StepKind, button: HTMLElement) => {
    const form = stepForm(view, step, kind, done, () => {
      fill(formHolder);
      button.focus();
    });
    fill(formHolder, form);
    form.querySelector('textarea')?.focus();
  };
  const items = view.next_steps.map((step) => {
    const controls: Child[] = [];
    /** A button that opens the step's form, or, when the role may not, whose it is. */
    const offer = (kind: StepKind, label: string, allowed: boolean, whose: string) => {
      if (!allowed) return controls.push(h('span', { class: 'muted' }, `${label} — ${whose}.`));
      const button = h('button', { type: 'button' }, label);
      button.addEventListener('click', () => open(step, kind, button));
      return controls.push(button);
    };
    const approvedByMe = step.approved_by.includes(me.name);
    if (step.approvals)
      offer(
        'approve',
        `Approve the step to ${step.to}`,
        mayDo(me, 'approve') && !approvedByMe,
        approvedByMe
          ? 'you have approved it; a second, different reviewer must'
          : 'reviewers approve it',
      );
    const waiting = step.approvals && step.approved_by.length < 2;
    offer(
      'take',
      `Move to ${step.to}`,
      mayDo(me, step.action) && !waiting,
      waiting
        ? `waits for two reviewers’ approvals (${step.approved_by.length} so far)`
        : `the ${step.roles.join(' or ')} takes this step`,
    );
    return h(
      'li',
      { class: 'next-step' },
      h('p', {}, h('strong', {}, step.to), `: ${step.meaning}`),
      approvalsLine(step),
      h('div', { class: 'steps' }, controls),
    );
  });
  return section('Next steps', h('ul', { class: 'next-steps' }, items), formHolder);
}

function render(main: HTMLElement, view: CaseView, me: Me, message?: string): void {
  const rerender = (next: CaseView, note: string) => {
    render(main, next, me, note);
    main.querySelector<HTMLElement>('[role="status"]')?.focus();
  };
  fill(
    main,
    h('h1', {}, `Case ${view.case_id}`),
    message ? h('p', { class: 'notice', role: 'status', tabindex: -1 }, message) : null,
    h('div', { class: 'grid' }, summaryPanel(view), stepsPanel(view, me, rerender)),
    historyPanel(view.events),
    attachmentsPanel(view.case_id, view.attachments),
    checkpointPanel(),
  );
}

export const casePage: Page = async (main, [caseId], { me }) => {
  render(main, await api<CaseView>(`/cases/${encodeURIComponent(caseId)}`), me);
};
