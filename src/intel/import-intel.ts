// `distillguard intel import`: a partner's bundle into the store. The bundle is checked as a
// receiver must (check-bundle.ts); each object that passes is stored with its version and a
// receipt (who sent it, when, over which channel); a bad one is set aside with its reason and the
// rest goes in. Importing the same bundle again changes nothing: versions are keyed by id and
// `modified`, receipts by source and channel.
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../core/index.js';
import type { StixObjectRow, Store } from '../store/index.js';
import { checkBundle, heldReferences, type ObjectProblem } from './check-bundle.js';
import { projectIdentity } from './extensions.js';
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

/** What became of one received object. */
export type Received =
  | { object: JsonObject; row: StixObjectRow; outcome: 'added' | 'known' }
  | { object: JsonObject; row: StixObjectRow; problem: string };

/**
 * Why a received version may not be stored, or null. Only an object's creator makes its versions
 * (STIX 2.1, 3.6): a version of something this organisation made is taken only when it is one of
 * ours, byte for byte (our own objects coming back through a hub), and a version whose creator
 * differs from the stored versions' is refused.
 */
async function ownershipProblem(
  store: Store,
  row: StixObjectRow,
  object: JsonObject,
): Promise<string | null> {
  if (await store.intel.latestStixObject(row.id, 'local')) {
    const same = await store.intel.readStixVersion(row.id, row.version);
    return same && same.contentHash === row.contentHash
      ? null
      : 'this organisation made this object: only its creator makes new versions of it';
  }
  const stored = await store.intel.latestStixObject(row.id, 'received');
  if (!stored || !('created_by_ref' in object)) return null;
  const creator = (JSON.parse(stored.object) as JsonObject).created_by_ref;
  return creator === object.created_by_ref
    ? null
    : `created_by_ref ${String(object.created_by_ref)} is not the creator of the stored versions (${String(creator)}); only an object's creator makes new versions of it`;
}

/**
 * Stores checked objects with their receipt, each version once, its creator's only. The ownership
 * checks and the store are one transaction: another sender's versions cannot come in between.
 */
export function receiveObjects(
  store: Store,
  objects: JsonObject[],
  receipt: ImportReceipt,
  storedAt: string,
): Promise<Received[]> {
  return store.designation.atomically(async () => {
    const rows = objects.map((object) => stixRow(object, 'received', storedAt));
    const problems: (string | null)[] = [];
    for (const [index, row] of rows.entries())
      problems.push(await ownershipProblem(store, row, objects[index]));
    const allowed = rows.filter((_row, index) => problems[index] === null);
    const outcomes = await store.intel.putStixObjects(allowed, {
      ...receipt,
      receivedAt: storedAt,
    });
    let next = 0;
    return rows.map((row, index): Received => {
      const object = objects[index];
      const problem = problems[index];
      if (problem !== null) return { object, row, problem };
      const outcome = outcomes[next++];
      return outcome === 'conflict'
        ? {
            object,
            row,
            problem: `another object with this id and version (${row.version || 'unversioned'}) is already stored with different content; a changed object needs a later 'modified'`,
          }
        : { object, row, outcome };
    });
  });
}

/** Checks and stores a parsed bundle; nothing is stored when its envelope is bad. */
export async function importBundle(
  store: Store,
  bundle: unknown,
  receipt: ImportReceipt,
  now = new Date(),
): Promise<ImportResult> {
  // checkBundle asks synchronously, so the stored references are looked up first (outside the
  // transaction of receiveObjects: a stored object is never deleted, so it stays resolved)
  const held = await heldReferences(
    bundle,
    async (id) => (await store.intel.latestStixObject(id)) !== null,
  );
  const check = checkBundle(bundle, { known: (id) => held.has(id) });
  const all = Array.isArray((bundle as JsonObject | null)?.objects)
    ? ((bundle as JsonObject).objects as unknown[])
    : [];
  if (check.envelope)
    return {
      bundleId: check.bundleId,
      envelope: check.envelope,
      objects: all.length,
      added: 0,
      known: 0,
      rejected: [],
    };
  const received = await receiveObjects(store, check.accepted, receipt, now.toISOString());
  const rejected = [...check.problems];
  for (const item of received)
    if ('problem' in item)
      rejected.push({
        index: all.indexOf(item.object),
        id: item.row.id,
        type: item.row.type,
        field: '/id',
        reason: item.problem,
      });
  rejected.sort((a, b) => a.index - b.index);
  return {
    bundleId: check.bundleId,
    envelope: null,
    objects: all.length,
    added: received.filter((item) => 'outcome' in item && item.outcome === 'added').length,
    known: received.filter((item) => 'outcome' in item && item.outcome === 'known').length,
    rejected,
  };
}

/** TLP of an unmarked received object, for sharing decisions: AMBER, until its sender says more. */
export const unmarkedTlp: TlpLevel = 'amber';

/**
 * The TLP an object is shared under: its strictest marking; definitions (markings, extension
 * definitions, the DistillGuard project's identity) are public; anything else unmarked is AMBER.
 */
export function sharingTlp(object: JsonObject): TlpLevel {
  if (object.type === 'marking-definition' || object.type === 'extension-definition')
    return 'clear';
  if (object.id === projectIdentity.id) return 'clear';
  return tlpOfObject(object) ?? unmarkedTlp;
}

/**
 * The latest version of every received object whose TLP is at most `tlp` (unmarked counts as
 * AMBER), as a bundle; with how many were held back by their marking.
 */
export async function receivedBundle(
  store: Store,
  tlp: TlpLevel,
): Promise<{ bundle: JsonObject; heldBack: number }> {
  const limit = tlpLevels.indexOf(tlp);
  let heldBack = 0;
  const objects = (await store.intel.listStixObjects({ origin: 'received', latest: true }))
    .map((row) => JSON.parse(row.object) as JsonObject)
    .filter((object) => {
      const level = sharingTlp(object);
      const allowed = tlpLevels.indexOf(level) <= limit;
      if (!allowed) heldBack += 1;
      return allowed;
    });
  return { bundle: { type: 'bundle', id: `bundle--${randomUUID()}`, objects }, heldBack };
}
