// DistillGuard's STIX 2.1 extensions: every property STIX does not define travels inside an
// extension whose definition is in the same bundle, never as a bare custom property.
// - the fingerprint SCO (new-sco): a keyed fingerprint, the only form in which templates,
//   payment instruments, email domains, accounts and client addresses leave the provider;
// - the campaign statistics (property-extension) on campaign and observed-data objects.
import type { JsonObject } from '../core/index.js';

/** The DistillGuard project as the author of its extension definitions. */
export const projectIdentity: JsonObject = {
  type: 'identity',
  spec_version: '2.1',
  id: 'identity--8c1f6d0a-3f1e-5b8a-9d4c-2e7b6a5f1c30',
  created: '2026-12-07T00:00:00.000Z',
  modified: '2026-12-07T00:00:00.000Z',
  name: 'DistillGuard project',
  identity_class: 'system',
  description: 'Author of the STIX extension definitions that DistillGuard uses.',
  object_marking_refs: ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
};

export const fingerprintType = 'distillguard-fingerprint';
export const fingerprintExtensionId = 'extension-definition--4c2d1a7e-8b3f-5e60-9a1d-7f2c3b4e5d61';
export const campaignStatsExtensionId =
  'extension-definition--9e5b3c1d-2a4f-5d78-8c6e-1b3a5d7f9e02';

export const fingerprintExtension: JsonObject = {
  type: 'extension-definition',
  spec_version: '2.1',
  id: fingerprintExtensionId,
  created_by_ref: projectIdentity.id,
  created: '2026-12-07T00:00:00.000Z',
  modified: '2026-12-07T00:00:00.000Z',
  name: 'DistillGuard keyed fingerprint',
  description:
    'A value that would identify users or reveal prompts, shared only as a keyed hash that partners holding the same community key can compute and match.',
  schema: [
    `Defines the cyber observable object type '${fingerprintType}' with three properties, all required:`,
    "kind (string): what was fingerprinted: 'template' (a hash of a prompt's normalised first or last 32 characters: the fixed text a template wraps around new content), 'template-band' (a MinHash band of the template's masked skeleton),",
    "'payment' (a payment-instrument fingerprint), 'email-domain', 'account' (an account id at the provider), 'client-address' (an IP address);",
    'key_id (string): the id of the community key;',
    "value (string): lower-case hex of HMAC-SHA-256(key, 'dg1:' + kind + ':' + canonical value).",
    "Its id is the STIX namespace UUIDv5 over {kind, key_id, value}. Indicators match it with patterns such as [distillguard-fingerprint:kind = 'template' AND distillguard-fingerprint:value = '...'].",
  ].join(' '),
  version: '1.0.0',
  extension_types: ['new-sco'],
};

export const campaignStatsExtension: JsonObject = {
  type: 'extension-definition',
  spec_version: '2.1',
  id: campaignStatsExtensionId,
  created_by_ref: projectIdentity.id,
  created: '2026-12-07T00:00:00.000Z',
  modified: '2026-12-07T00:00:00.000Z',
  name: 'DistillGuard campaign statistics',
  description: 'Counts that a distillation campaign was found with: no user content.',
  schema: [
    'A property extension for campaign and observed-data objects with these properties:',
    'accounts (integer): accounts in the campaign; interactions (integer): their requests;',
    'risk (number 0-1): the campaign risk; capabilities (object: capability name to share of traffic, 0-1);',
    "signals (list of strings): the detection signals that decided it (e.g. 'linked_accounts', 'campaign_harvesting').",
  ].join(' '),
  version: '1.0.0',
  extension_types: ['property-extension'],
};

/** The extension objects every export carries, with their author. */
export const extensionObjects: readonly JsonObject[] = [
  projectIdentity,
  fingerprintExtension,
  campaignStatsExtension,
];
