// What every case action works on: the store and the log (a desk), the clock, and the helpers
// they share: finding a case, refusing a step with the allowed next ones, the entry chain.
import { createHash } from 'node:crypto';
import { DistillGuardError } from '../core/index.js';
import type { CaseRow, Store } from '../store/index.js';
import { nextSteps } from './case-states.js';
import type { TransparencyLog } from './transparency-log.js';

export interface CaseDesk {
  store: Store;
  log: TransparencyLog;
  now?: () => Date;
}

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
export const nowOf = (desk: CaseDesk) => (desk.now ?? (() => new Date()))();

export async function disabledUsers(desk: CaseDesk): Promise<Set<string>> {
  return new Set(
    (await desk.store.designation.listUsers())
      .filter((user) => user.disabledAt !== null)
      .map((user) => user.name),
  );
}

/** The log index of the case's last entry: each entry names it, so a package missing one shows. */
export async function previousEntry(desk: CaseDesk, caseId: string): Promise<number | null> {
  const indexes = (await desk.store.designation.readCaseEvents(caseId)).flatMap((event) =>
    event.logIndex === null ? [] : [event.logIndex],
  );
  return indexes.length > 0 ? Math.max(...indexes) : null;
}

export async function requireCase(desk: CaseDesk, caseId: string): Promise<CaseRow> {
  const row = await desk.store.designation.findCase(caseId);
  if (row) return row;
  const known = (await desk.store.designation.listCases()).map((c) => c.caseId);
  throw new DistillGuardError(
    'usage',
    `no case '${caseId}'. ${known.length > 0 ? `Cases: ${known.slice(-10).join(', ')}.` : 'Open one with `distillguard cases open --campaign ID`.'}`,
  );
}

export function refuse(caseRow: CaseRow, message: string): never {
  const steps = nextSteps(caseRow.state)
    .map((step) => `${step.to} (${step.meaning})`)
    .join('; ');
  throw new DistillGuardError(
    'refused',
    `${caseRow.caseId} is ${caseRow.state}: ${message}${steps ? ` Allowed next: ${steps}.` : ' It is final.'}`,
  );
}
