// Cases: a campaign finding taken from opening to designation, appeal and revocation. Each change
// is checked against the workflow (case-states.ts) and the acting user's role, then made together
// with its log entry in one transaction; refusals say why and what is allowed instead.
import { DistillGuardError } from '../core/index.js';
import { campaignLabelFor } from '../intel/index.js';
import type { CaseEventRow, CaseRow } from '../store/index.js';
import { isCaseState, transitionBetween, caseStates, type CaseState } from './case-states.js';
import {
  disabledUsers,
  nowOf,
  previousEntry,
  refuse,
  requireCase,
  sha256,
  type CaseDesk,
} from './case-desk.js';
import { requireAction, type Actor } from './roles.js';
import { warningListHits } from './warning-check.js';

export { attachToCase, attachmentKinds, type AttachmentKind } from './case-attachments.js';
export { expireDue } from './case-expiry.js';
export { requireCase, type CaseDesk } from './case-desk.js';

async function openCaseUnlocked(
  desk: CaseDesk,
  actor: Actor,
  campaignId: string,
  reason: string | null,
): Promise<CaseRow> {
  requireAction(actor, 'open-case');
  const [finding] = await desk.store.intel.readCampaignFindings(campaignId);
  if (!finding) {
    const known = (await desk.store.intel.readCampaignFindings()).map((row) => row.campaignId);
    throw new DistillGuardError(
      'usage',
      `no campaign '${campaignId}' in the store. ${known.length > 0 ? `Stored campaigns: ${known.slice(0, 10).join(', ')}.` : 'Run `distillguard analyze --db FILE` first: it stores the campaigns it finds.'}`,
    );
  }
  const live = (await desk.store.designation.listCases()).find(
    (row) =>
      row.campaignId === campaignId && !['closed-benign', 'revoked', 'expired'].includes(row.state),
  );
  if (live)
    throw new DistillGuardError(
      'refused',
      `campaign '${campaignId}' already has an open case, ${live.caseId} (${live.state}).`,
    );
  const at = nowOf(desk).toISOString();
  const campaign = JSON.parse(finding.campaign) as { accounts: string[]; risk: number };
  const label = await campaignLabelFor(desk.store, campaignId);
  return desk.store.designation.atomically(async () => {
    const caseId = `case-${await desk.store.designation.nextCaseNumber()}`;
    const row: CaseRow = {
      caseId,
      campaignId,
      state: 'opened',
      openedBy: actor.name,
      openedAt: at,
      updatedAt: at,
      expiresAt: null,
      snapshot: finding.campaign,
    };
    await desk.store.designation.addCase(row);
    const logIndex = await desk.log.append({
      kind: 'case.opened',
      at,
      actor: actor.name,
      role: actor.role,
      case: caseId,
      previous: await previousEntry(desk, caseId),
      campaign: label,
      accounts: campaign.accounts.length,
      risk: campaign.risk,
      snapshot_sha256: sha256(finding.campaign),
      reason,
    });
    await desk.store.designation.addCaseEvent({
      caseId,
      kind: 'opened',
      actor: actor.name,
      role: actor.role,
      at,
      fromState: null,
      toState: 'opened',
      reason,
      detail: JSON.stringify({ campaign: label }),
      logIndex,
    });
    return row;
  });
}

/**
 * The approvals of a step given since the case last changed, by distinct reviewers still active: a
 * move or new evidence resets them (the reviewers approved what they saw), and a disabled user's
 * approval no longer counts.
 */
export function approvalsOf(
  events: CaseEventRow[],
  to: string,
  disabled: ReadonlySet<string> = new Set(),
): CaseEventRow[] {
  const lastChange = events.findLastIndex((event) =>
    ['opened', 'transition', 'attachment'].includes(event.kind),
  );
  const seen = new Set<string>();
  return events.slice(lastChange + 1).filter((event) => {
    if (
      event.kind !== 'approval' ||
      event.toState !== to ||
      seen.has(event.actor) ||
      disabled.has(event.actor)
    )
      return false;
    seen.add(event.actor);
    return true;
  });
}

function checkTarget(caseRow: CaseRow, to: string): CaseState {
  if (!isCaseState(to))
    throw new DistillGuardError(
      'usage',
      `unknown state '${to}': use one of ${caseStates.join(', ')}.`,
    );
  const step = transitionBetween(caseRow.state, to);
  if (!step) refuse(caseRow, `it cannot go to ${to}.`);
  if (step.action === 'system')
    refuse(
      caseRow,
      `${to} is set by the expiry sweep when the designation's date passes, not by a user.`,
    );
  return to;
}

async function approveCaseUnlocked(
  desk: CaseDesk,
  actor: Actor,
  caseId: string,
  to: string,
  reason: string,
): Promise<CaseEventRow[]> {
  requireAction(actor, 'approve');
  const caseRow = await requireCase(desk, caseId);
  const target = checkTarget(caseRow, to);
  if (!transitionBetween(caseRow.state, target)?.approvals)
    refuse(caseRow, `the step to ${target} needs no approval.`);
  const events = await desk.store.designation.readCaseEvents(caseId);
  if (
    approvalsOf(events, target, await disabledUsers(desk)).some(
      (event) => event.actor === actor.name,
    )
  )
    throw new DistillGuardError(
      'refused',
      `${actor.name} has already approved ${caseId} for ${target}: a second, different reviewer must approve.`,
    );
  const at = nowOf(desk).toISOString();
  await desk.store.designation.atomically(async () => {
    const logIndex = await desk.log.append({
      kind: 'case.approval',
      at,
      actor: actor.name,
      role: actor.role,
      case: caseId,
      previous: await previousEntry(desk, caseId),
      state: caseRow.state,
      to: target,
      reason,
    });
    await desk.store.designation.addCaseEvent({
      caseId,
      kind: 'approval',
      actor: actor.name,
      role: actor.role,
      at,
      fromState: caseRow.state,
      toState: target,
      reason,
      detail: '{}',
      logIndex,
    });
  });
  return approvalsOf(
    await desk.store.designation.readCaseEvents(caseId),
    target,
    await disabledUsers(desk),
  );
}

export interface TransitionRequest {
  to: string;
  reason: string;
  /** A designation's expiry (ISO date or date-time). */
  expiresAt?: string;
  /** An appeal's statement from the appellant. */
  statement?: string;
}

function parseExpiry(caseRow: CaseRow, text: string | undefined, now: Date): string {
  if (!text) refuse(caseRow, 'a designation needs its expiry date (--expires YYYY-MM-DD).');
  const date = new Date(`${text}T00:00:00.000Z`);
  // a calendar date only, and a real one (2027-02-30 does not roll over into March)
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== text
  )
    throw new DistillGuardError('usage', `--expires '${text}' is not a date: use YYYY-MM-DD.`);
  if (date.getTime() <= now.getTime())
    throw new DistillGuardError('usage', `--expires ${text} is not in the future.`);
  return date.toISOString();
}

async function transitionCaseUnlocked(
  desk: CaseDesk,
  actor: Actor,
  caseId: string,
  request: TransitionRequest,
): Promise<CaseRow> {
  const caseRow = await requireCase(desk, caseId);
  const target = checkTarget(caseRow, request.to);
  const step = transitionBetween(caseRow.state, target);
  if (!step || step.action === 'system') refuse(caseRow, `it cannot go to ${target}.`);
  requireAction(actor, step.action);
  if (request.reason.trim().length === 0)
    throw new DistillGuardError('usage', 'every transition needs a reason (--reason TEXT).');
  const now = nowOf(desk);
  if (step.approvals) {
    const approvals = approvalsOf(
      await desk.store.designation.readCaseEvents(caseId),
      target,
      await disabledUsers(desk),
    );
    if (approvals.length < 2)
      refuse(
        caseRow,
        `the step to ${target} needs approvals from two different reviewers (cases approve ${caseId} --to ${target}); it has ${approvals.length}${approvals.length > 0 ? ` (${approvals.map((event) => event.actor).join(', ')})` : ''}.`,
      );
  }
  if (step.warningCheck) {
    const hits = await warningListHits(
      desk.store,
      JSON.parse(caseRow.snapshot) as { accounts: string[] },
    );
    if (hits.length > 0)
      refuse(
        caseRow,
        `nomination blocked by the benchmark and research warning list: ${hits.slice(0, 5).join('; ')}${hits.length > 5 ? `; and ${hits.length - 5} more` : ''}. Review the finding (or the warning list) before nominating.`,
      );
  }
  if (step.needsStatement && !request.statement?.trim())
    refuse(
      caseRow,
      "an appeal needs the appellant's statement (--statement TEXT or --statement-file F).",
    );
  const expiresAt = step.needsExpiry ? parseExpiry(caseRow, request.expiresAt, now) : undefined;
  const at = now.toISOString();
  const statement = request.statement?.trim();
  await desk.store.designation.atomically(async () => {
    const logIndex = await desk.log.append({
      kind: 'case.transition',
      at,
      actor: actor.name,
      role: actor.role,
      case: caseId,
      previous: await previousEntry(desk, caseId),
      from: caseRow.state,
      to: target,
      reason: request.reason,
      ...(expiresAt ? { expires_at: expiresAt } : {}),
      ...(statement ? { statement_sha256: sha256(statement) } : {}),
    });
    await desk.store.designation.updateCase(caseId, {
      state: target,
      updatedAt: at,
      ...(expiresAt ? { expiresAt } : {}),
    });
    await desk.store.designation.addCaseEvent({
      caseId,
      kind: 'transition',
      actor: actor.name,
      role: actor.role,
      at,
      fromState: caseRow.state,
      toState: target,
      reason: request.reason,
      detail: JSON.stringify({
        ...(expiresAt ? { expires_at: expiresAt } : {}),
        ...(statement ? { statement } : {}),
      }),
      logIndex,
    });
  });
  return requireCase(desk, caseId);
}

/**
 * Opens a case on a stored campaign finding (analyze --db stores them). Every check and write of
 * this and the functions below runs in one immediate transaction: two processes acting on one
 * case at once are serialised, and the second sees what the first did.
 */
export async function openCase(
  desk: CaseDesk,
  actor: Actor,
  campaignId: string,
  reason: string | null,
): Promise<CaseRow> {
  return desk.store.designation.atomically(() => openCaseUnlocked(desk, actor, campaignId, reason));
}

/** A reviewer's approval of the next step (shared or nominated). */
export async function approveCase(
  desk: CaseDesk,
  actor: Actor,
  caseId: string,
  to: string,
  reason: string,
): Promise<CaseEventRow[]> {
  return desk.store.designation.atomically(() =>
    approveCaseUnlocked(desk, actor, caseId, to, reason),
  );
}

/** Moves a case along one allowed step. */
export async function transitionCase(
  desk: CaseDesk,
  actor: Actor,
  caseId: string,
  request: TransitionRequest,
): Promise<CaseRow> {
  return desk.store.designation.atomically(() =>
    transitionCaseUnlocked(desk, actor, caseId, request),
  );
}
