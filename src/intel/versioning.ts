// Versions of the objects we make: an object whose content has not changed since the last export
// keeps its version (the same `modified`, byte for byte); a changed one becomes a new version
// (same id and `created`, a later `modified`); a withdrawn finding's objects come out revoked.
// SCOs have no versions; marking and extension definitions carry their own fixed timestamps.
import type { JsonObject } from '../core/index.js';
import type { IntelStore, StixObjectRow, StixPutOutcome } from '../store/index.js';
import type { Draft } from './campaign-objects.js';
import { canonicalJson, sha256Hex } from './stix-ids.js';

/** The version of an object as it says it: `modified`, else `created`, else '' (SCOs). */
export function versionOf(object: JsonObject): string {
  if (typeof object.modified === 'string') return object.modified;
  if (typeof object.created === 'string') return object.created;
  return '';
}

/**
 * A STIX timestamp in one form that sorts and compares as text: its fraction padded to nine
 * digits. STIX allows any precision, and '...:00Z' sorts after '...:00.5Z' as written; stored
 * versions use this form so that order and equality hold ('...:00Z' and '...:00.000Z' are one).
 */
export function sortableTimestamp(value: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/i.exec(value);
  if (!match) return value;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z`;
}

/** A stored row for an object. */
export function stixRow(
  object: JsonObject,
  origin: StixObjectRow['origin'],
  storedAt: string,
): StixObjectRow {
  const text = canonicalJson(object);
  return {
    id: object.id as string,
    version: sortableTimestamp(versionOf(object)),
    type: object.type as string,
    object: text,
    contentHash: sha256Hex(text),
    origin,
    storedAt,
  };
}

function withoutTimes(object: JsonObject): string {
  const { created: _created, modified: _modified, ...rest } = object;
  return canonicalJson(rest);
}

/** Whether objects of this type are versioned (SDOs and SROs; not SCOs, not fixed definitions). */
function versioned(draft: Draft): boolean {
  return 'created_by_ref' in draft.body && !('created' in draft.body);
}

/**
 * The drafts as objects with `created` and `modified`: the stored version when unchanged, a new
 * one (modified = now, later than the last) when changed. A report keeps its first `published`.
 */
export async function assignVersions(
  drafts: Draft[],
  store: IntelStore,
  now: Date,
): Promise<JsonObject[]> {
  const objects: JsonObject[] = [];
  for (const draft of drafts) objects.push(await assignVersion(draft, store, now));
  return objects;
}

async function assignVersion(draft: Draft, store: IntelStore, now: Date): Promise<JsonObject> {
  if (!versioned(draft)) return draft.body;
  // only our own versions count: a partner cannot make a version of what we made
  const latestRow = await store.latestStixObject(draft.id, 'local');
  const latest = latestRow ? (JSON.parse(latestRow.object) as JsonObject) : null;
  const body = { ...draft.body };
  if (draft.type === 'report')
    body.published = (latest?.published as string | undefined) ?? now.toISOString();
  if (latest && withoutTimes(latest) === canonicalJson(body)) return latest;
  if (latest?.revoked === true) return latest; // a revoked object has no later versions
  const lastMs = latest ? Date.parse(latest.modified as string) : Number.NEGATIVE_INFINITY;
  const modified = new Date(Math.max(now.getTime(), lastMs + 1)).toISOString();
  const created = (latest?.created as string | undefined) ?? modified;
  return { ...body, created, modified };
}

/** Keeps versions this organisation made (an export, sightings, a hub's groupings), each once. */
export async function recordOwnVersions(
  store: IntelStore,
  objects: JsonObject[],
  now: Date,
): Promise<{ rows: StixObjectRow[]; outcomes: StixPutOutcome[] }> {
  const storedAt = now.toISOString();
  const rows = objects.map((object) => stixRow(object, 'local', storedAt));
  const outcomes = await store.putStixObjects(rows, {
    source: 'self',
    channel: 'export',
    receivedAt: storedAt,
  });
  return { rows, outcomes };
}
