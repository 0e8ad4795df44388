// The STIX objects of one campaign, before versioning: the campaign and the intrusion set behind
// it, keyed indicators with patterns that parse, observed data with counts and the time range,
// the MITRE ATLAS attack patterns it uses, the relationships, and a report that ties them
// together. No object holds a prompt, an address, an email or a payment token: only keyed
// fingerprints (community-keys.ts), counts and times, unless the network policy says 'clear'.
import type { JsonObject, ReportedCampaign } from '../core/index.js';
import type { CampaignTraits } from '../detect/index.js';
import type { IntelKeyRow } from '../store/index.js';
import { atlasCaseStudy, atlasReference, atlasTechniques } from './atlas.js';
import type { FingerprintKind } from '../core/index.js';
import { fingerprintUnder } from './community-keys.js';
import { campaignStatsExtensionId, fingerprintExtensionId, fingerprintType } from './extensions.js';
import { scoId, stixId } from './stix-ids.js';
import { tlpMarkingIds, type TlpLevel } from './tlp.js';

/** A value the campaign's members share, with how many of them. */
export interface SharedValue {
  value: string;
  members: number;
}

/** Everything known about one campaign that may go into an export, still unkeyed. */
export interface CampaignEvidence {
  finding: ReportedCampaign;
  /**
   * The campaign's public name: keyed by a secret of this store, since the detector's own id is
   * derived from hashes of template text and account ids that anyone could test guesses against.
   */
  label: string;
  traits: CampaignTraits;
  /** Member accounts that may be shared (the warning list removed). */
  accounts: string[];
  payments: SharedValue[];
  emailDomains: SharedValue[];
  addresses: SharedValue[];
  withdrawn: boolean;
}

export interface ExportSettings {
  /** The reporting organisation's identity object (created and modified set). */
  producer: JsonObject;
  tlp: TlpLevel;
  network: 'none' | 'keyed' | 'clear';
  key: IntelKeyRow;
}

/** An object without its version timestamps (`created`, `modified`); versioning adds them. */
export interface Draft {
  id: string;
  type: string;
  body: JsonObject;
}

/** Client addresses per campaign at most (most shared first). */
export const maxAddresses = 256;

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fingerprintPattern(kind: FingerprintKind, keyId: string, values: string[]): string {
  const value =
    values.length === 1
      ? `${fingerprintType}:value = ${quote(values[0])}`
      : `${fingerprintType}:value IN (${values.map(quote).join(', ')})`;
  return `[${fingerprintType}:kind = ${quote(kind)} AND ${fingerprintType}:key_id = ${quote(keyId)} AND ${value}]`;
}

const kindWords: Record<FingerprintKind, string> = {
  template: 'a prompt template',
  'template-band': 'near-identical prompt templates (MinHash skeleton bands)',
  payment: 'a payment instrument',
  'email-domain': 'an email domain',
  account: 'the campaign accounts',
  'client-address': 'the client addresses',
};

/** The drafts of one campaign's objects (shared ones, like the attack patterns, included). */
export function campaignDrafts(evidence: CampaignEvidence, settings: ExportSettings): Draft[] {
  const { finding, traits } = evidence;
  const producerId = settings.producer.id as string;
  const marking = [tlpMarkingIds[settings.tlp]];
  const common = { spec_version: '2.1', created_by_ref: producerId, object_marking_refs: marking };
  const revoked = evidence.withdrawn ? { revoked: true } : {};
  const drafts: Draft[] = [];
  const add = (type: string, id: string, body: JsonObject): string => {
    drafts.push({ id, type, body: { type, id, ...body } });
    return id;
  };
  const label = evidence.label;
  const identity = { producer: producerId, campaign: label };
  const first = finding.first_seen ?? finding.last_seen;
  const members = finding.accounts.length;
  const signals = finding.reasons.map((reason) => reason.signal);
  const statistics = {
    [campaignStatsExtensionId]: {
      extension_type: 'property-extension',
      accounts: members,
      interactions: finding.interactions ?? 0,
      risk: finding.risk,
      capabilities: finding.capabilities ?? {},
      signals,
    },
  };

  const campaignId = add('campaign', stixId('campaign', identity), {
    ...common,
    name: `Distillation campaign ${label}`,
    description: `${members} accounts and ${finding.interactions ?? 0} requests harvesting model outputs (${signals.join(', ')}).`,
    ...(finding.first_seen ? { first_seen: finding.first_seen } : {}),
    ...(finding.last_seen ? { last_seen: finding.last_seen } : {}),
    objective: 'Copy the model’s capabilities into another model by training on its outputs.',
    external_references: [atlasReference(atlasCaseStudy.id, 'studies')],
    extensions: statistics,
    ...revoked,
  });
  const intrusionSetId = add('intrusion-set', stixId('intrusion-set', identity), {
    ...common,
    name: `Operator of distillation campaign ${label}`,
    description:
      'The operator behind the campaign’s accounts, as far as their shared tooling, payment and infrastructure show.',
    ...(finding.first_seen ? { first_seen: finding.first_seen } : {}),
    ...(finding.last_seen ? { last_seen: finding.last_seen } : {}),
    goals: ['replicate a frontier model through its API'],
    resource_level: 'organization',
    primary_motivation: 'organizational-gain',
    ...revoked,
  });
  const relationship = (source: string, type: string, target: string) =>
    add('relationship', stixId('relationship', { source, type, target }), {
      ...common,
      relationship_type: type,
      source_ref: source,
      target_ref: target,
      ...revoked,
    });
  relationship(campaignId, 'attributed-to', intrusionSetId);

  for (const technique of atlasTechniques) {
    const patternId = add(
      'attack-pattern',
      stixId('attack-pattern', { producer: producerId, atlas: technique.id }),
      {
        spec_version: '2.1',
        created_by_ref: producerId,
        // public knowledge: CLEAR whatever the export's TLP, so its version does not change with it
        object_marking_refs: [tlpMarkingIds.clear],
        name: technique.name,
        description: `MITRE ATLAS ${technique.id}: in a distillation campaign, the operator ${technique.use}.`,
        external_references: [atlasReference(technique.id, 'techniques')],
      },
    );
    relationship(campaignId, 'uses', patternId);
  }

  // fingerprints: the SCOs observed, and the indicators that match them
  const key = settings.key;
  const fingerprints: string[] = [];
  const fingerprint = (kind: FingerprintKind, raw: string | number): string => {
    const value = fingerprintUnder(key, kind, raw);
    const id = scoId(fingerprintType, { kind, key_id: key.keyId, value });
    if (!drafts.some((draft) => draft.id === id))
      drafts.push({
        id,
        type: fingerprintType,
        body: {
          type: fingerprintType,
          spec_version: '2.1',
          id,
          kind,
          key_id: key.keyId,
          value,
          // one marking whatever the export's TLP: an SCO has one version, and a keyed hash alone
          // says nothing to whoever lacks the key
          object_marking_refs: [tlpMarkingIds.green],
          extensions: { [fingerprintExtensionId]: { extension_type: 'new-sco' } },
        },
      });
    fingerprints.push(id);
    return value;
  };
  const indicatorIds: string[] = [];
  const indicator = (
    kind: FingerprintKind,
    values: string[],
    shared: number,
    pattern = fingerprintPattern(kind, key.keyId, values),
  ) => {
    const id = add('indicator', stixId('indicator', { ...identity, pattern }), {
      ...common,
      name: `${kindWords[kind]} of distillation campaign ${label}`,
      description: `Used by ${shared} of the campaign's ${members} accounts.${pattern.includes(fingerprintType) ? ` Keyed with community key ${key.keyId}: compute HMAC-SHA-256 over 'dg1:${kind}:<value>' to match.` : ''}`,
      indicator_types: [
        kind === 'template' || kind === 'template-band' ? 'malicious-activity' : 'attribution',
      ],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: first ?? '1970-01-01T00:00:00.000Z',
      ...revoked,
    });
    indicatorIds.push(id);
    relationship(id, 'indicates', campaignId);
  };
  for (const template of traits.templates)
    indicator('template', [fingerprint('template', template.key)], template.members);
  if (traits.skeleton_bands.length > 0) {
    const bands = traits.skeleton_bands.map((band) => fingerprint('template-band', band.key));
    indicator(
      'template-band',
      bands,
      Math.max(...traits.skeleton_bands.map((band) => band.members)),
    );
  }
  for (const payment of evidence.payments)
    indicator('payment', [fingerprint('payment', payment.value)], payment.members);
  for (const domain of evidence.emailDomains)
    indicator('email-domain', [fingerprint('email-domain', domain.value)], domain.members);
  // client addresses: one indicator for the set (proxy exits rotate; one per address would be noise)
  const addresses = evidence.addresses.slice(0, maxAddresses);
  const addressMembers = Math.max(0, ...addresses.map((address) => address.members));
  if (addresses.length > 0 && settings.network === 'keyed')
    indicator(
      'client-address',
      addresses.map((address) => fingerprint('client-address', address.value)),
      addressMembers,
    );
  else if (addresses.length > 0 && settings.network === 'clear') {
    const clear = (type: string) =>
      addresses.filter((address) => address.value.includes(':') === (type === 'ipv6-addr'));
    const parts = ['ipv4-addr', 'ipv6-addr']
      .filter((type) => clear(type).length > 0)
      .map(
        (type) =>
          `[${type}:value IN (${clear(type)
            .map((address) => quote(address.value))
            .join(', ')})]`,
      );
    indicator('client-address', [], addressMembers, parts.join(' OR '));
  }
  if (evidence.accounts.length > 0)
    indicator(
      'account',
      evidence.accounts.map((account) => fingerprint('account', account)),
      evidence.accounts.length,
    );

  if (fingerprints.length > 0 && first && finding.last_seen) {
    const observedId = add('observed-data', stixId('observed-data', identity), {
      ...common,
      first_observed: first,
      last_observed: finding.last_seen,
      number_observed: Math.max(1, Math.min(999_999_999, finding.interactions ?? 1)),
      object_refs: [...new Set(fingerprints)],
      extensions: statistics,
      ...revoked,
    });
    for (const indicatorId of indicatorIds) relationship(indicatorId, 'based-on', observedId);
  }

  const referenced = drafts.map((draft) => draft.id);
  add('report', stixId('report', identity), {
    ...common,
    name: `Distillation campaign ${label}: ${members} accounts`,
    description: `Found: ${finding.reasons.map((reason) => reason.detail).join('; ')}.`,
    report_types: ['campaign', 'indicator', 'attack-pattern', 'threat-actor'],
    published: '',
    object_refs: [producerId, ...referenced],
    external_references: [atlasReference(atlasCaseStudy.id, 'studies')],
    ...revoked,
  });
  return drafts;
}
