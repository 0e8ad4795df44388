// Public face of intel/: sharing campaigns and indicators in STIX 2.1 (TAXII 2.1 to come). The
// STIX patterning language's parser, the official schemas and the receiver's checks, keyed
// indicators under community keys, TLP 2.0, exports with stable ids and versions, and imports.
export {
  parseStixPattern,
  StixPatternError,
  type Comparison,
  type ComparisonOperator,
  type ObjectPath,
  type Observation,
  type PathStep,
  type PatternLiteral,
  type Qualifier,
} from './stix-pattern.js';
export { checkBundle, referencesOf, type BundleCheck, type ObjectProblem } from './check-bundle.js';
export { isStandardType, schemaProblem } from './stix-schemas.js';
export {
  activeIntelKey,
  checkKeyId,
  fingerprintUnder,
  newIntelKey,
  receivedIntelKey,
} from './community-keys.js';
export { defaultIntelConfig, intelConfigSchema, type IntelConfig } from './intel-config.js';
export {
  isTlpLevel,
  tlpLevels,
  tlpMarkingDefinition,
  tlpMarkingIds,
  tlpOfObject,
  type TlpLevel,
} from './tlp.js';
export {
  campaignLabelFor,
  exportIntel,
  keyedLabel,
  type ExportRequest,
  type ExportResult,
} from './export-intel.js';
export {
  importBundle,
  receivedBundle,
  type ImportReceipt,
  type ImportResult,
} from './import-intel.js';
export { fingerprintType, fingerprintExtensionId, campaignStatsExtensionId } from './extensions.js';
export { canonicalJson, stixId, uuidV5 } from './stix-ids.js';
export {
  fingerprintTest,
  loadPartnerIndicators,
  type LoadedPartnerIndicators,
} from './partner-indicators.js';
export { exportSightings } from './sightings.js';
export {
  registerTaxiiRoutes,
  apiRootPath,
  discoveryPath,
  type TaxiiReceipt,
} from './taxii/taxii-routes.js';
export {
  campaignsCollection,
  ensureDefaultCollection,
  mountTaxii,
  startHub,
  type HubOptions,
  type RunningHub,
} from './taxii/hub-server.js';
export { taxiiMediaType } from './taxii/media.js';
export { partnerSecretHash } from './taxii/partner-auth.js';
export { TaxiiClient, type PushOutcome, type TaxiiCredentials } from './taxii/taxii-client.js';
export { correlateCampaigns, recordCorrelations, type CorrelatedCampaign } from './correlation.js';
export { hubIdentity } from './taxii/hub-server.js';
export {
  relayBatch,
  relayDone,
  relayLimit,
  withoutAttribution,
  type RelayTarget,
} from './relay.js';
export { relayRound, type RelayReport } from './relay-run.js';
