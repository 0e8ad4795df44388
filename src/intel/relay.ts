// A hub passes on what it received, by sharing agreement: to each target in `intel.relay_to` (a
// partner lab's or an allied hub's TAXII collection) it pushes the object versions added to its
// own collections since the last relay to that target, at most the agreed TLP (never AMBER+STRICT
// or RED), never back to whoever sent them, and, where the agreement says so, without attribution:
// then every object made by a lab is passed on as the hub's own, under an id derived from the
// original (the same on every relay), its references rewritten the same way, the labs' identities
// left out, and the hub's correlated campaigns named without the labs' names.
import type { JsonObject } from '../core/index.js';
import type { Store } from '../store/index.js';
import { referencesOf } from './check-bundle.js';
import { sharingTlp } from './import-intel.js';
import type { IntelConfig } from './intel-config.js';
import { projectIdentity } from './extensions.js';
import { distillguardNamespace, uuidV5 } from './stix-ids.js';
import { assignVersions, recordOwnVersions } from './versioning.js';
import { tlpLevels, tlpMarkingDefinition, tlpOfMarking, type TlpLevel } from './tlp.js';

export type RelayTarget = IntelConfig['relay_to'][number];

/** Types whose objects keep their ids whoever relays them. */
const sharedTypes = new Set(['marking-definition', 'extension-definition']);

/**
 * The highest TLP a relay may carry: GREEN. TLP 2.0 lets an AMBER recipient share only within its
 * own organisation and its clients, and a target of a relay is neither; AMBER+STRICT and RED stay.
 */
export function relayLimit(level: TlpLevel): TlpLevel {
  return tlpLevels.indexOf(level) > tlpLevels.indexOf('green') ? 'green' : level;
}

/** The objects passed on without attribution, as `hub` makes them. */
export async function withoutAttribution(
  objects: JsonObject[],
  hub: JsonObject,
  store: Store,
): Promise<JsonObject[]> {
  const hubId = String(hub.id);
  const isSco = async (id: string) => {
    const stored = await store.intel.latestStixObject(id);
    return stored ? !('created' in (JSON.parse(stored.object) as JsonObject)) : false;
  };
  const mapId = async (id: string): Promise<string> => {
    const type = id.slice(0, id.indexOf('--'));
    if (sharedTypes.has(type) || id === projectIdentity.id || id === hubId) return id;
    if (type === 'identity') return hubId;
    if (await isSco(id)) return id;
    return `${type}--${uuidV5(distillguardNamespace, `relayed-by:${hubId}:${id}`)}`;
  };
  const rewrite = async (value: unknown, key: string): Promise<unknown> => {
    if (typeof value === 'string' && key.endsWith('_ref')) return mapId(value);
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value)
        items.push(
          typeof item === 'string' && key.endsWith('_refs')
            ? await mapId(item)
            : await rewrite(item, ''),
        );
      return [...new Set(items)];
    }
    if (value && typeof value === 'object') {
      const entries: [string, unknown][] = [];
      for (const [name, item] of Object.entries(value as JsonObject))
        entries.push([name, await rewrite(item, name)]);
      return Object.fromEntries(entries);
    }
    return value;
  };
  const result: JsonObject[] = [];
  for (const object of objects) {
    const id = String(object.id);
    if (object.type === 'identity' && id !== hubId && id !== projectIdentity.id) continue;
    if (
      sharedTypes.has(String(object.type)) ||
      !('created' in object) ||
      id === hubId ||
      id === projectIdentity.id
    ) {
      result.push(object);
      continue;
    }
    const copy = (await rewrite(object, '')) as JsonObject;
    copy.id = await mapId(id);
    copy.created_by_ref = hubId;
    if (copy.type === 'grouping') {
      const refs = (copy.object_refs as string[] | undefined) ?? [];
      copy.name = 'Correlated distillation campaign';
      copy.description = `${refs.filter((ref) => ref.startsWith('campaign--')).length} campaign report(s) and ${refs.filter((ref) => ref.startsWith('sighting--')).length} sighting(s) from partners of ${String(hub.name)}.`;
    }
    if (copy.type === 'sighting') copy.where_sighted_refs = [hubId];
    result.push(copy);
  }
  return result;
}

/** The hub's identity as a versioned object (kept in the store, the same version while unchanged). */
async function versionedHub(store: Store, hub: JsonObject): Promise<JsonObject> {
  const now = new Date();
  const [made] = await assignVersions(
    [{ id: String(hub.id), type: 'identity', body: hub }],
    store.intel,
    now,
  );
  await recordOwnVersions(store.intel, [made], now);
  return made;
}

/** What a relay to `target` would push now: object versions added after its cursor, as agreed. */
export function relayBatch(
  store: Store,
  target: RelayTarget,
  hub: JsonObject,
): Promise<{ objects: JsonObject[]; lastSeq: number; heldBack: number }> {
  // one state of the store: entries added between two collections' reads could fall behind the
  // cursor, and the hub's identity is read and versioned at once
  return store.designation.atomically(() => chooseBatch(store, target, hub));
}

async function chooseBatch(
  store: Store,
  target: RelayTarget,
  hub: JsonObject,
): Promise<{ objects: JsonObject[]; lastSeq: number; heldBack: number }> {
  const cursorKey = `relay:${target.name}`;
  const cursor = Number((await store.taxii.readPullCursor(cursorKey, target.server)) ?? '0');
  const limit = tlpLevels.indexOf(relayLimit(target.max_tlp));
  let lastSeq = cursor;
  let heldBack = 0;
  const chosen: JsonObject[] = [];
  for (const alias of target.from_collections) {
    const collection = await store.taxii.findCollection(alias);
    if (!collection) continue;
    for (const entry of await store.taxii.listEntries({
      collectionId: collection.id,
      afterSeq: cursor,
    })) {
      lastSeq = Math.max(lastSeq, entry.seq);
      const object = JSON.parse(entry.object) as JsonObject;
      const level = sharingTlp(object);
      const fromTarget = (await store.intel.readStixReceipts(entry.objectId)).some(
        (receipt) => receipt.source === target.name && receipt.version === entry.version,
      );
      if (tlpLevels.indexOf(level) > limit || fromTarget) {
        heldBack += 1;
        continue;
      }
      chosen.push(object);
    }
  }
  // what the objects refer to travels with them (markings, identities), once
  const present = new Set(chosen.map((object) => String(object.id)));
  for (const object of [...chosen])
    for (const { id } of referencesOf(object)) {
      if (present.has(id)) continue;
      const stored = await store.intel.latestStixObject(id);
      if (!stored) continue;
      const referenced = JSON.parse(stored.object) as JsonObject;
      const level = sharingTlp(referenced);
      if (tlpLevels.indexOf(level) > limit) continue;
      present.add(id);
      chosen.unshift(referenced);
    }
  const author = target.attribution ? hub : await versionedHub(store, hub);
  const objects = target.attribution
    ? chosen
    : [
        author,
        ...(await withoutAttribution(chosen, author, store)).filter(
          (object) => object.id !== author.id,
        ),
      ];
  // the TLP marking definitions referred to travel too, as published
  const ids = new Set(objects.map((object) => String(object.id)));
  for (const object of [...objects])
    for (const { id } of referencesOf(object)) {
      const level = tlpOfMarking(id);
      if (level && !ids.has(id)) {
        ids.add(id);
        objects.unshift(tlpMarkingDefinition(level));
      }
    }
  return { objects: chosen.length > 0 ? objects : [], lastSeq, heldBack };
}

/** Records that everything up to `lastSeq` went to `target`. */
export function relayDone(
  store: Store,
  target: RelayTarget,
  lastSeq: number,
  now = new Date(),
): Promise<void> {
  return store.taxii.writePullCursor(
    `relay:${target.name}`,
    target.server,
    String(lastSeq),
    now.toISOString(),
  );
}
