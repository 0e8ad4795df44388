// `distillguard intel export`: the campaigns analyze stored, as a STIX 2.1 bundle. Values that
// would identify people are keyed (community-keys.ts); what the warning list names (registered
// research accounts and organisations, their email domains and cards) is never exported; each
// version made is kept in the store, so the next export reuses ids and versions.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DistillGuardError, type JsonObject, type ReportedCampaign } from '../core/index.js';
import type { CampaignTraits } from '../detect/index.js';
import type { AccountRow, Store } from '../store/index.js';
import {
  campaignDrafts,
  type CampaignEvidence,
  type Draft,
  type SharedValue,
} from './campaign-objects.js';
import { checkBundle, referencesOf } from './check-bundle.js';
import { activeIntelKey } from './community-keys.js';
import { extensionObjects } from './extensions.js';
import type { IntelConfig } from './intel-config.js';
import { stixId } from './stix-ids.js';
import { tlpMarkingDefinition, tlpMarkingIds, type TlpLevel } from './tlp.js';
import { assignVersions, recordOwnVersions } from './versioning.js';

export interface ExportRequest {
  /** One campaign, or every stored one when absent. */
  campaignId?: string;
  tlp: TlpLevel;
  config: IntelConfig;
  now?: Date;
}

/** A campaign as exported: the detector's id (never in the bundle), its public label and STIX id. */
export interface ExportedCampaign {
  campaignId: string;
  label: string;
  stixId: string;
}

export interface ExportResult {
  bundle: JsonObject;
  campaigns: ExportedCampaign[];
  /** Campaigns exported as revoked (withdrawn findings). */
  revoked: ExportedCampaign[];
  /** Objects per type. */
  counts: Record<string, number>;
  /** Versions new in this export (the rest were exported before unchanged). */
  newVersions: number;
  /** Member accounts left out because the warning list names them or their organisation. */
  warned: number;
}

/** A card or domain is the campaign's when its members are at least half of those who use it. */
const ownShare = 0.5;

function sharedValues(
  members: AccountRow[],
  everyone: AccountRow[],
  valueOf: (row: AccountRow) => string | null,
  minimumMembers: number,
  excluded: Set<string>,
): SharedValue[] {
  const users = new Map<string, number>();
  for (const row of everyone) {
    const value = valueOf(row);
    if (value) users.set(value, (users.get(value) ?? 0) + 1);
  }
  const counts = new Map<string, number>();
  for (const row of members) {
    const value = valueOf(row);
    if (value && !excluded.has(value)) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts]
    .filter(
      ([value, count]) =>
        count >= minimumMembers && count >= ownShare * (users.get(value) ?? count),
    )
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value, count]) => ({ value, members: count }));
}

export function producerIdentity(config: IntelConfig): Omit<Draft, 'type'> & { type: 'identity' } {
  const organization = config.organization;
  if (!organization)
    throw new DistillGuardError(
      'usage',
      'name the reporting organisation: --org NAME, or intel.organization.name in --config FILE.',
    );
  const id = stixId('identity', {
    name: organization.name,
    identity_class: organization.identity_class,
  });
  return {
    id,
    type: 'identity',
    body: {
      type: 'identity',
      spec_version: '2.1',
      id,
      created_by_ref: id,
      // who we are is no secret: CLEAR, so the identity keeps one version whatever an export's TLP
      object_marking_refs: [tlpMarkingIds.clear],
      name: organization.name,
      identity_class: organization.identity_class,
      ...(organization.sectors ? { sectors: organization.sectors } : {}),
      ...(organization.contact_information
        ? { contact_information: organization.contact_information }
        : {}),
    },
  };
}

/** A random secret of this store, made once, that keys the public names of its campaigns. */
function exportSalt(store: Store): Promise<string> {
  return store.writeSettingOnce('intel-campaign-label-key', randomBytes(32).toString('base64url'));
}

/**
 * A stable pseudonym for a value a package must not show (an account id, a card): `PREFIX-` and
 * 12 hex characters of an HMAC under the same store secret as campaign labels.
 */
export async function keyedLabel(store: Store, prefix: string, value: string): Promise<string> {
  const salt = await exportSalt(store);
  return `${prefix}-${createHmac('sha256', salt).update(`${prefix}:${value}`).digest('hex').slice(0, 12)}`;
}

/** The public name of a stored campaign (what exports, cases and the log call it). */
export async function campaignLabelFor(store: Store, campaignId: string): Promise<string> {
  return campaignLabel(await exportSalt(store), campaignId);
}

/** The public name of a campaign: 'dc-' and 16 hex characters of an HMAC of its detector id. */
export function campaignLabel(salt: string, campaignId: string): string {
  return `dc-${createHmac('sha256', salt).update(campaignId).digest('hex').slice(0, 16)}`;
}

/**
 * Revoked versions of the objects the previous export of a campaign listed in its report and this
 * export no longer makes (our own SDOs and SROs; shared objects such as fingerprints stay).
 */
async function staleObjects(store: Store, made: Draft[], producerId: string): Promise<Draft[]> {
  const report = made.find((draft) => draft.type === 'report');
  const stored = report ? await store.intel.latestStixObject(report.id, 'local') : null;
  if (!stored) return [];
  const current = new Set(made.map((draft) => draft.id));
  const stale: Draft[] = [];
  for (const id of ((JSON.parse(stored.object) as JsonObject).object_refs as string[]) ?? []) {
    if (current.has(id)) continue;
    const previous = await store.intel.latestStixObject(id, 'local');
    if (!previous) continue;
    const object = JSON.parse(previous.object) as JsonObject;
    if (object.created_by_ref !== producerId || object.revoked === true) continue;
    if (object.type === 'identity' || object.type === 'attack-pattern') continue;
    const { created: _created, modified: _modified, ...body } = object;
    stale.push({ id, type: String(object.type), body: { ...body, revoked: true } });
  }
  return stale;
}

/**
 * Adds the stored objects that `objects` refer to but do not hold: a revoked version keeps the
 * references it had (to fingerprints under a key rotated out since, say).
 */
async function withStoredReferences(objects: JsonObject[], store: Store): Promise<JsonObject[]> {
  const present = new Set(objects.map((object) => object.id as string));
  const added: JsonObject[] = [];
  let pending = objects;
  while (pending.length > 0) {
    const next: JsonObject[] = [];
    for (const object of pending)
      for (const { id } of referencesOf(object)) {
        if (present.has(id)) continue;
        const stored = await store.intel.latestStixObject(id);
        if (!stored) continue;
        present.add(id);
        next.push(JSON.parse(stored.object) as JsonObject);
      }
    added.push(...next);
    pending = next;
  }
  return [...objects, ...added];
}

/** Builds, checks and records the export; the caller writes `bundle`. */
export function exportIntel(store: Store, request: ExportRequest): Promise<ExportResult> {
  // the versions it reads and the versions it stores come from one state of the store: another
  // export in between would make a second version of the same content
  return store.designation.atomically(() => buildExport(store, request));
}

async function buildExport(store: Store, request: ExportRequest): Promise<ExportResult> {
  const now = request.now ?? new Date();
  const findings = await store.intel.readCampaignFindings(request.campaignId);
  if (request.campaignId !== undefined && findings.length === 0) {
    const known = (await store.intel.readCampaignFindings()).map((row) => row.campaignId);
    throw new DistillGuardError(
      'usage',
      `no campaign '${request.campaignId}' in the store. ${known.length > 0 ? `Stored campaigns: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}.` : 'Run `distillguard analyze --db FILE` first: it stores the campaigns it finds.'}`,
    );
  }
  const key = await activeIntelKey(store.intel);
  const producer = producerIdentity(request.config);
  const warnings = new Map<string, Set<string>>();
  for (const row of await store.intel.listWarnings()) {
    const set = warnings.get(row.kind) ?? new Set<string>();
    set.add(row.kind === 'email_domain' ? row.value.toLowerCase() : row.value);
    warnings.set(row.kind, set);
  }
  const warned = (kind: string) => warnings.get(kind) ?? new Set<string>();
  const accounts = await store.readAccounts();
  const byId = new Map(accounts.map((row) => [row.accountId, row]));

  const drafts = new Map<string, Draft>();
  const exported: ExportedCampaign[] = [];
  const revoked: ExportedCampaign[] = [];
  const salt = await exportSalt(store);
  let warnedAccounts = 0;
  const settings = {
    producer: producer.body,
    tlp: request.tlp,
    network: request.config.network_indicators,
    key,
  };
  for (const row of findings) {
    const finding = JSON.parse(row.campaign) as ReportedCampaign;
    const withdrawn = row.withdrawnAt !== null;
    const label = campaignLabel(salt, row.campaignId);
    const campaignObjectId = stixId('campaign', { producer: producer.id, campaign: label });
    // a withdrawal is news only to those who had the finding
    if (withdrawn && !(await store.intel.latestStixObject(campaignObjectId))) continue;
    const shareable = finding.accounts.filter((accountId) => {
      const facts = byId.get(accountId);
      const blocked =
        warned('account').has(accountId) ||
        (facts?.orgId != null && warned('organization').has(facts.orgId)) ||
        (facts?.emailDomain != null && warned('email_domain').has(facts.emailDomain.toLowerCase()));
      if (blocked) warnedAccounts += 1;
      return !blocked;
    });
    const members = shareable.flatMap((accountId) => byId.get(accountId) ?? []);
    const evidence: CampaignEvidence = {
      finding,
      label,
      traits: JSON.parse(row.traits) as CampaignTraits,
      accounts: shareable,
      payments: sharedValues(members, accounts, (r) => r.paymentFingerprint, 1, warned('payment')),
      emailDomains: sharedValues(
        members,
        accounts,
        (r) => r.emailDomain?.toLowerCase() ?? null,
        2,
        warned('email_domain'),
      ),
      addresses:
        request.config.network_indicators === 'none'
          ? []
          : (await store.intel.addressesOf(shareable))
              .filter((use) => use.members >= 2 && use.members >= ownShare * use.accounts)
              .map((use) => ({ value: use.address, members: use.members }))
              .sort((a, b) => b.members - a.members || a.value.localeCompare(b.value)),
      withdrawn,
    };
    const made = campaignDrafts(evidence, settings);
    for (const draft of made) drafts.set(draft.id, draft);
    // what the last export of this campaign held and this one does not (an indicator under a
    // rotated key, a card now on the warning list) is revoked, so partners stop matching it
    for (const draft of await staleObjects(store, made, producer.id)) drafts.set(draft.id, draft);
    (withdrawn ? revoked : exported).push({
      campaignId: row.campaignId,
      label,
      stixId: campaignObjectId,
    });
  }
  if (drafts.size === 0)
    throw new DistillGuardError(
      'usage',
      'nothing to export: the store holds no campaign findings. Run `distillguard analyze --db FILE` first.',
    );

  const made = await withStoredReferences(
    await assignVersions([producer, ...drafts.values()], store.intel, now),
    store,
  );
  const markings = [...new Set<TlpLevel>(['clear', 'green', request.tlp])].map(
    tlpMarkingDefinition,
  );
  const objects: JsonObject[] = [...markings, ...extensionObjects, ...made];
  const bundle: JsonObject = { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
  const check = checkBundle(bundle);
  if (check.envelope || check.problems.length > 0) {
    const problem = check.envelope ?? check.problems[0];
    throw new DistillGuardError(
      'internal',
      `the export failed its own check (${'id' in problem ? `${problem.id} ` : ''}${problem.field}: ${problem.reason}). This is a bug; please report it.`,
    );
  }
  const { outcomes } = await recordOwnVersions(store.intel, made, now);
  const counts: Record<string, number> = {};
  for (const object of objects)
    counts[object.type as string] = (counts[object.type as string] ?? 0) + 1;
  return {
    bundle,
    campaigns: exported,
    revoked,
    counts,
    newVersions: outcomes.filter((outcome) => outcome === 'added').length,
    warned: warnedAccounts,
  };
}
