// Evidence attached to a case: kept whole in the store, its SHA-256 in the log; a closed case
// takes none, and the same file twice is one attachment.
import { DistillGuardError } from '../core/index.js';
import { requireAction, type Actor } from './roles.js';
import { nowOf, previousEntry, refuse, requireCase, sha256, type CaseDesk } from './case-desk.js';

export const attachmentKinds = ['analysis', 'audit', 'sighting', 'note'] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];

async function attachToCaseUnlocked(
  desk: CaseDesk,
  actor: Actor,
  caseId: string,
  file: { kind: string; name: string; content: Buffer },
): Promise<{ sha256: string; added: boolean; logIndex: number | null }> {
  requireAction(actor, 'attach');
  const caseRow = await requireCase(desk, caseId);
  if (!(attachmentKinds as readonly string[]).includes(file.kind))
    throw new DistillGuardError(
      'usage',
      `--kind must be one of ${attachmentKinds.join(', ')}, not '${file.kind}'.`,
    );
  if (['closed-benign', 'revoked', 'expired'].includes(caseRow.state))
    refuse(caseRow, 'a closed case takes no more evidence.');
  const digest = sha256(file.content);
  if ((await desk.store.designation.readAttachments(caseId)).some((row) => row.sha256 === digest))
    return { sha256: digest, added: false, logIndex: null };
  const at = nowOf(desk).toISOString();
  return desk.store.designation.atomically(async () => {
    const logIndex = await desk.log.append({
      kind: 'case.attachment',
      at,
      actor: actor.name,
      role: actor.role,
      case: caseId,
      previous: await previousEntry(desk, caseId),
      attachment_kind: file.kind,
      name: file.name,
      sha256: digest,
      bytes: file.content.length,
    });
    await desk.store.designation.addAttachment({
      sha256: digest,
      caseId,
      kind: file.kind,
      name: file.name,
      content: file.content,
      addedBy: actor.name,
      addedAt: at,
      logIndex,
    });
    await desk.store.designation.addCaseEvent({
      caseId,
      kind: 'attachment',
      actor: actor.name,
      role: actor.role,
      at,
      fromState: null,
      toState: null,
      reason: null,
      detail: JSON.stringify({ kind: file.kind, name: file.name, sha256: digest }),
      logIndex,
    });
    return { sha256: digest, added: true, logIndex };
  });
}

/** Adds a file to a case's evidence (stored whole; the log records its SHA-256). */
export async function attachToCase(
  desk: CaseDesk,
  actor: Actor,
  caseId: string,
  file: { kind: string; name: string; content: Buffer },
): Promise<{ sha256: string; added: boolean; logIndex: number | null }> {
  return desk.store.designation.atomically(() => attachToCaseUnlocked(desk, actor, caseId, file));
}
