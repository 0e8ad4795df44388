// Designations lapse on their date: before each command, the system moves every designated or
// upheld case whose expiry has passed to expired, each with its own log entry.
import type { CaseRow } from '../store/index.js';
import { designationInForce } from './case-states.js';
import { nowOf, previousEntry, type CaseDesk } from './case-desk.js';

/** Lapses every designation whose expiry has passed (run before each cases command). */
export async function expireDue(desk: CaseDesk): Promise<CaseRow[]> {
  const now = nowOf(desk);
  const due = (await desk.store.designation.listCases()).filter(
    (row) =>
      (designationInForce as readonly string[]).includes(row.state) &&
      row.expiresAt !== null &&
      new Date(row.expiresAt).getTime() <= now.getTime(),
  );
  const at = now.toISOString();
  for (const row of due)
    await desk.store.designation.atomically(async () => {
      // another process may have expired or revoked it since the list was read
      if ((await desk.store.designation.findCase(row.caseId))?.state !== row.state) return;
      const logIndex = await desk.log.append({
        kind: 'case.transition',
        at,
        actor: 'system',
        role: 'system',
        case: row.caseId,
        previous: await previousEntry(desk, row.caseId),
        from: row.state,
        to: 'expired',
        reason: `the designation expired on ${row.expiresAt}`,
      });
      await desk.store.designation.updateCase(row.caseId, { state: 'expired', updatedAt: at });
      await desk.store.designation.addCaseEvent({
        caseId: row.caseId,
        kind: 'transition',
        actor: 'system',
        role: 'system',
        at,
        fromState: row.state,
        toState: 'expired',
        reason: `the designation expired on ${row.expiresAt}`,
        detail: '{}',
        logIndex,
      });
    });
  return due;
}
