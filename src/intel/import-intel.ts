// `distillguard intel import`: a partner's bundle into the store. The bundle is checked as a
// receiver must (check-bundle.ts); each object that passes is stored with its version and a
// receipt (who sent it, when, over which channel); a bad one is set aside with its reason and the
// rest goes in. Importing the same bundle again changes nothing: versions are keyed by id and
// `modified`, receipts by source and channel.
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../core/index.js';
import type { Store } from '../store/index.js';
import { checkBundle, type ObjectProblem } from './check-bundle.js';
import { tlpLevels, tlpOfObject, type TlpLevel } from './tlp.js';
import { stixRow } from './versioning.js';

export interface ImportReceipt {
  /** Who sent it: a partner's name, or the file's name when none is given. */
  source: string;
  channel: 'file' | 'taxii';
}

export interface ImportResult {
  bundleId: string | null;
  /** The envelope's problem: when set, nothing was imported. */
  envelope: { field: string; reason: string } | null;
  objects: number;
  added: number;
  /** Versions already stored with the same content. */
  known: number;
  rejected: ObjectProblem[];
}

/** Checks and stores a parsed bundle; nothing is stored when its envelope is bad. */
export function importBundle(
  store: Store,
  bundle: unknown,
  receipt: ImportReceipt,
  now = new Date(),
): ImportResult {
  const check = checkBundle(bundle, { known: (id) => store.intel.latestStixObject(id) !== null });
  const objects = Array.isArray((bundle as JsonObject | null)?.objects)
    ? ((bundle as JsonObject).objects as unknown[]).length
    : 0;
  if (check.envelope)
    return {
      bundleId: check.bundleId,
      envelope: check.envelope,
      objects,
      added: 0,
      known: 0,
      rejected: [],
    };
  const storedAt = now.toISOString();
  const rows = check.accepted.map((object) => stixRow(object, 'received', storedAt));
  const outcomes = store.intel.putStixObjects(rows, { ...receipt, receivedAt: storedAt });
  const rejected = [...check.problems];
  outcomes.forEach((outcome, index) => {
    if (outcome !== 'conflict') return;
    const object = check.accepted[index];
    rejected.push({
      index: ((bundle as JsonObject).objects as unknown[]).indexOf(object),
      id: object.id as string,
      type: object.type as string,
      field: '/modified',
      reason: `another object with this id and version (${rows[index].version || 'unversioned'}) is already stored with different content; a changed object needs a later 'modified'`,
    });
  });
  rejected.sort((a, b) => a.index - b.index);
  return {
    bundleId: check.bundleId,
    envelope: null,
    objects,
    added: outcomes.filter((outcome) => outcome === 'added').length,
    known: outcomes.filter((outcome) => outcome === 'known').length,
    rejected,
  };
}

/** TLP of an unmarked received object, for sharing decisions: AMBER, until its sender says more. */
export const unmarkedTlp: TlpLevel = 'amber';

/**
 * The latest version of every received object whose TLP is at most `tlp` (unmarked counts as
 * AMBER), as a bundle; with how many were held back by their marking.
 */
export function receivedBundle(
  store: Store,
  tlp: TlpLevel,
): { bundle: JsonObject; heldBack: number } {
  const latest = new Map<string, JsonObject>();
  for (const row of store.intel.listStixObjects({ origin: 'received' })) {
    const current = latest.get(row.id);
    if (!current || row.version >= String(current.modified ?? current.created ?? ''))
      latest.set(row.id, JSON.parse(row.object) as JsonObject);
  }
  const limit = tlpLevels.indexOf(tlp);
  let heldBack = 0;
  const objects = [...latest.values()].filter((object) => {
    if (object.type === 'marking-definition') return true;
    const level = tlpOfObject(object) ?? unmarkedTlp;
    const allowed = tlpLevels.indexOf(level) <= limit;
    if (!allowed) heldBack += 1;
    return allowed;
  });
  return { bundle: { type: 'bundle', id: `bundle--${randomUUID()}`, objects }, heldBack };
}
