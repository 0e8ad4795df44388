// A hub's view across labs: campaigns reported by different partners that share keyed indicators
// (the same template, card or address fingerprint under the same community key) are one
// correlated campaign, with who reported each part, when, how many accounts each saw, and who
// sighted its indicators. Each correlated campaign is also a STIX grouping made by the hub, kept
// in the store and added to the 'campaigns' collection, so partners can pull it.
import type { JsonObject } from '../core/index.js';
import type { Store } from '../store/index.js';
import { campaignStatsExtensionId } from './extensions.js';
import { fingerprintTest } from './partner-indicators.js';
import { stixId } from './stix-ids.js';
import { sharingTlp } from './import-intel.js';
import { tlpLevels, tlpMarkingIds, type TlpLevel } from './tlp.js';
import { assignVersions, recordOwnVersions } from './versioning.js';

export interface CorrelatedCampaign {
  /** The STIX grouping's id. */
  id: string;
  campaigns: {
    id: string;
    name: string;
    reporter: string;
    reportedAt: string;
    accounts: number | null;
  }[];
  sightings: {
    id: string;
    reporter: string;
    count: number;
    firstSeen: string | null;
    lastSeen: string | null;
  }[];
  /** Fingerprints that more than one campaign's indicators share. */
  sharedFingerprints: number;
  reporters: string[];
}

async function latestOf(store: Store, type: string): Promise<Map<string, JsonObject>> {
  const rows = await store.intel.listStixObjects({ type, latest: true });
  return new Map(rows.map((row) => [row.id, JSON.parse(row.object) as JsonObject]));
}

async function firstReceipt(
  store: Store,
  id: string,
): Promise<{ source: string; receivedAt: string }> {
  const receipt = (await store.intel.readStixReceipts(id)).find(
    (item) => item.channel !== 'export',
  );
  return receipt ?? { source: 'this organisation', receivedAt: '' };
}

/** Groups the stored campaigns by shared fingerprints; one entry per group with two or more parties. */
export async function correlateCampaigns(store: Store, hubId = ''): Promise<CorrelatedCampaign[]> {
  const campaigns = await latestOf(store, 'campaign');
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(id, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const [x, y] = [find(a), find(b)];
    if (x !== y) parent.set(x < y ? y : x, x < y ? x : y);
  };
  for (const [id, campaign] of campaigns) if (campaign.revoked !== true) parent.set(id, id);

  const indicated = new Map<string, Set<string>>();
  for (const relationship of (await latestOf(store, 'relationship')).values()) {
    if (relationship.relationship_type !== 'indicates' || relationship.revoked === true) continue;
    const target = String(relationship.target_ref);
    if (!parent.has(target)) continue;
    const source = String(relationship.source_ref);
    indicated.set(source, new Set([...(indicated.get(source) ?? []), target]));
  }
  const holders = new Map<string, Set<string>>();
  for (const [id, indicator] of await latestOf(store, 'indicator')) {
    if (indicator.revoked === true) continue;
    const test = fingerprintTest(String(indicator.pattern ?? ''));
    const targets = indicated.get(id);
    if (!test || !targets) continue;
    for (const value of test.values) {
      const slot = `${test.kind}:${test.keyId}:${value}`;
      holders.set(slot, new Set([...(holders.get(slot) ?? []), ...targets]));
    }
  }
  const sharedPerGroup = new Map<string, number>();
  for (const owners of holders.values()) {
    const list = [...owners];
    for (const other of list.slice(1)) union(list[0], other);
  }
  for (const owners of holders.values())
    if (owners.size > 1) {
      const root = find([...owners][0]);
      sharedPerGroup.set(root, (sharedPerGroup.get(root) ?? 0) + 1);
    }

  const groups = new Map<string, CorrelatedCampaign>();
  const groupOf = (campaignId: string): CorrelatedCampaign => {
    const root = find(campaignId);
    let group = groups.get(root);
    if (!group) {
      group = {
        id: '',
        campaigns: [],
        sightings: [],
        sharedFingerprints: sharedPerGroup.get(root) ?? 0,
        reporters: [],
      };
      groups.set(root, group);
    }
    return group;
  };
  for (const [id, campaign] of campaigns) {
    if (!parent.has(id)) continue;
    const receipt = await firstReceipt(store, id);
    const stats = (campaign.extensions as Record<string, JsonObject> | undefined)?.[
      campaignStatsExtensionId
    ];
    groupOf(id).campaigns.push({
      id,
      name: String(campaign.name ?? id),
      reporter: receipt.source,
      reportedAt: receipt.receivedAt,
      accounts: typeof stats?.accounts === 'number' ? stats.accounts : null,
    });
  }
  for (const [id, sighting] of await latestOf(store, 'sighting')) {
    const targets = indicated.get(String(sighting.sighting_of_ref));
    if (!targets || sighting.revoked === true) continue;
    groupOf([...targets][0]).sightings.push({
      id,
      reporter: (await firstReceipt(store, id)).source,
      count: Number(sighting.count ?? 1),
      firstSeen: typeof sighting.first_seen === 'string' ? sighting.first_seen : null,
      lastSeen: typeof sighting.last_seen === 'string' ? sighting.last_seen : null,
    });
  }
  const result: CorrelatedCampaign[] = [];
  for (const [root, group] of groups) {
    const reporters = [
      ...new Set([...group.campaigns, ...group.sightings].map((item) => item.reporter)),
    ].sort();
    if (reporters.length < 2) continue;
    group.reporters = reporters;
    group.id = stixId('grouping', { hub: hubId, correlated: root });
    group.campaigns.sort(
      (a, b) => a.reportedAt.localeCompare(b.reportedAt) || a.id.localeCompare(b.id),
    );
    result.push(group);
  }
  return result.sort((a, b) => b.reporters.length - a.reporters.length || a.id.localeCompare(b.id));
}

/**
 * Correlates and records each correlated campaign as a STIX grouping by `hub` (an identity object
 * with id and name), added to `collectionId`; returns the correlated campaigns.
 */
export function recordCorrelations(
  store: Store,
  hub: JsonObject,
  collectionId: string,
  now = new Date(),
): Promise<CorrelatedCampaign[]> {
  // what it reads and the versions it stores come from one state of the store: another post's
  // correlation in between would version the same groupings twice
  return store.designation.atomically(() => correlateAndRecord(store, hub, collectionId, now));
}

async function correlateAndRecord(
  store: Store,
  hub: JsonObject,
  collectionId: string,
  now: Date,
): Promise<CorrelatedCampaign[]> {
  const correlated = await correlateCampaigns(store, String(hub.id));
  // a grouping is as restricted as the strictest object it names (unmarked counts as AMBER)
  const strictest = async (ids: string[]): Promise<TlpLevel> => {
    let level: TlpLevel = 'green';
    for (const id of ids) {
      const stored = await store.intel.latestStixObject(id);
      const own = stored ? sharingTlp(JSON.parse(stored.object) as JsonObject) : 'amber';
      if (tlpLevels.indexOf(own) > tlpLevels.indexOf(level)) level = own;
    }
    return level;
  };
  const current = new Set(correlated.map((group) => group.id));
  // groupings made before that no longer stand (members joined or left) are revoked
  const outdated = (
    await store.intel.listStixObjects({ type: 'grouping', origin: 'local', latest: true })
  )
    .map((row) => JSON.parse(row.object) as JsonObject)
    .filter(
      (object) =>
        object.created_by_ref === hub.id &&
        !current.has(String(object.id)) &&
        object.revoked !== true,
    );
  if (correlated.length === 0 && outdated.length === 0) return correlated;
  const revocations = outdated.map((object) => {
    const { created: _created, modified: _modified, ...body } = object;
    return { id: String(object.id), type: 'grouping', body: { ...body, revoked: true } };
  });
  const levels: TlpLevel[] = [];
  for (const group of correlated)
    levels.push(
      await strictest([
        ...group.campaigns.map((item) => item.id),
        ...group.sightings.map((item) => item.id),
      ]),
    );
  const drafts = correlated.map((group, index) => ({
    id: group.id,
    type: 'grouping',
    body: {
      type: 'grouping',
      spec_version: '2.1',
      id: group.id,
      created_by_ref: hub.id,
      object_marking_refs: [tlpMarkingIds[levels[index]]],
      name: `Correlated distillation campaign: reported by ${[...new Set(group.campaigns.map((item) => item.reporter))].join(', ')}${group.sightings.length > 0 ? `; sighted by ${[...new Set(group.sightings.map((item) => item.reporter))].join(', ')}` : ''}`,
      description: `${group.campaigns.length} campaign report(s) sharing ${group.sharedFingerprints} keyed fingerprint(s); ${group.sightings.length} sighting(s).`,
      context: 'suspicious-activity',
      object_refs: [
        ...group.campaigns.map((item) => item.id),
        ...group.sightings.map((item) => item.id),
      ],
    },
  }));
  const identity = { id: String(hub.id), type: 'identity', body: hub };
  const made = await assignVersions([identity, ...drafts, ...revocations], store.intel, now);
  const { rows } = await recordOwnVersions(store.intel, made, now);
  await store.taxii.addToCollection(
    collectionId,
    rows.map((row) => ({ objectId: row.id, version: row.version })),
    now.toISOString(),
  );
  return correlated;
}
