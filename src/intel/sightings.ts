// Sightings: what we tell a partner when its indicators matched our traffic. One sighting per
// indicator: how many of our accounts matched and over which time range; never which accounts.
import { randomUUID } from 'node:crypto';
import { DistillGuardError, type JsonObject } from '../core/index.js';
import type { Store } from '../store/index.js';
import { checkBundle, heldReferences } from './check-bundle.js';
import { producerIdentity } from './export-intel.js';
import type { IntelConfig } from './intel-config.js';
import { stixId } from './stix-ids.js';
import { sharingTlp } from './import-intel.js';
import { tlpLevels, tlpMarkingDefinition, tlpMarkingIds, type TlpLevel } from './tlp.js';
import { assignVersions, recordOwnVersions } from './versioning.js';

export interface SightingsResult {
  bundle: JsonObject;
  sightings: number;
  accounts: number;
}

/** A bundle of sightings of every partner indicator our analyses matched. */
export function exportSightings(
  store: Store,
  request: { tlp: TlpLevel; config: IntelConfig; now?: Date },
): Promise<SightingsResult> {
  // the versions it reads and the versions it stores come from one state of the store
  return store.designation.atomically(() => buildSightings(store, request));
}

async function buildSightings(
  store: Store,
  request: { tlp: TlpLevel; config: IntelConfig; now?: Date },
): Promise<SightingsResult> {
  const now = request.now ?? new Date();
  const producer = producerIdentity(request.config);
  const byIndicator = new Map<string, { accounts: number; first: number; last: number }>();
  for (const match of await store.intel.readPartnerMatches()) {
    const seen = byIndicator.get(match.indicatorId) ?? {
      accounts: 0,
      first: Number.POSITIVE_INFINITY,
      last: Number.NEGATIVE_INFINITY,
    };
    seen.accounts += 1;
    seen.first = Math.min(seen.first, match.firstMs);
    seen.last = Math.max(seen.last, match.lastMs);
    byIndicator.set(match.indicatorId, seen);
  }
  if (byIndicator.size === 0)
    throw new DistillGuardError(
      'usage',
      'no sightings: no analysis has matched a partner indicator yet (import partner bundles with `intel import`, then `analyze --db`).',
    );
  const indicatorTlp = async (id: string): Promise<TlpLevel> => {
    const stored = await store.intel.latestStixObject(id);
    return stored ? sharingTlp(JSON.parse(stored.object) as JsonObject) : 'amber';
  };
  const stricter = (a: TlpLevel, b: TlpLevel) =>
    tlpLevels.indexOf(a) >= tlpLevels.indexOf(b) ? a : b;
  const indicatorLevels = new Map<string, TlpLevel>();
  for (const indicatorId of byIndicator.keys())
    indicatorLevels.set(indicatorId, await indicatorTlp(indicatorId));
  const drafts = [...byIndicator].map(([indicatorId, seen]) => {
    const id = stixId('sighting', { producer: producer.id, indicator: indicatorId });
    return {
      id,
      type: 'sighting',
      body: {
        type: 'sighting',
        spec_version: '2.1',
        id,
        created_by_ref: producer.id,
        // never less restricted than the indicator it tells of
        object_marking_refs: [
          tlpMarkingIds[stricter(request.tlp, indicatorLevels.get(indicatorId) as TlpLevel)],
        ],
        sighting_of_ref: indicatorId,
        count: Math.min(999_999_999, seen.accounts),
        first_seen: new Date(seen.first).toISOString(),
        last_seen: new Date(Math.max(seen.first, seen.last)).toISOString(),
        where_sighted_refs: [producer.id],
        description: `${seen.accounts} of our accounts matched this indicator.`,
      },
    };
  });
  const made = await assignVersions([producer, ...drafts], store.intel, now);
  const used = new Set<TlpLevel>(['clear']);
  for (const draft of drafts) {
    const [ref] = draft.body.object_marking_refs;
    const level = tlpLevels.find((item) => tlpMarkingIds[item] === ref);
    if (level) used.add(level);
  }
  const markings = [...used].map(tlpMarkingDefinition);
  const bundle: JsonObject = {
    type: 'bundle',
    id: `bundle--${randomUUID()}`,
    objects: [...markings, ...made],
  };
  const held = await heldReferences(
    bundle,
    async (id) => (await store.intel.latestStixObject(id)) !== null,
  );
  const check = checkBundle(bundle, { known: (id) => held.has(id) });
  const problem = check.envelope ?? check.problems[0];
  if (problem)
    throw new DistillGuardError(
      'internal',
      `the sightings failed their own check (${problem.field}: ${problem.reason}). This is a bug; please report it.`,
    );
  await recordOwnVersions(store.intel, made, now);
  return {
    bundle,
    sightings: drafts.length,
    accounts: [...byIndicator.values()].reduce((sum, seen) => sum + seen.accounts, 0),
  };
}
