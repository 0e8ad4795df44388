// The intelligence part of the persistence port: campaign findings (the source of exports),
// community keys, every version of every STIX object with who sent it, and the warning list.

/** A campaign as analyze found it: the report's campaign and its template traits, as JSON. */
export interface CampaignFindingRow {
  campaignId: string;
  analysedAt: string;
  /** The report's campaign (`contracts/analysis-report.schema.json`), JSON. */
  campaign: string;
  /** detect's CampaignTraits, JSON. */
  traits: string;
  withdrawnAt: string | null;
  withdrawnReason: string | null;
}

/** A community key: the shared secret of keyed indicators, with its id. */
export interface IntelKeyRow {
  keyId: string;
  /** base64url, 32 bytes. */
  secret: string;
  createdAt: string;
  /** Set once rotated out: still used to match, no longer to make indicators. */
  retiredAt: string | null;
  /** 'created' here, or 'added' (received from the community out of band). */
  origin: 'created' | 'added';
}

/** One version of a STIX object. */
export interface StixObjectRow {
  id: string;
  /** `modified`, or `created` for objects without it, or '' for SCOs (unversioned). */
  version: string;
  type: string;
  /** The object as JSON (canonical: keys sorted). */
  object: string;
  /** SHA-256 of `object`, hex. */
  contentHash: string;
  /** 'local': made by this organisation's exports; 'received': imported. */
  origin: 'local' | 'received';
  storedAt: string;
}

/** Who sent a version, when and how. */
export interface StixReceipt {
  source: string;
  /** 'file' (intel import), 'taxii' (a TAXII post or pull), 'export' (made here). */
  channel: string;
  receivedAt: string;
}

/** What `putStixObjects` did with each object. */
export type StixPutOutcome = 'added' | 'known' | 'conflict';

export interface WarningListRow {
  /** 'account', 'organization', 'email_domain' or 'payment'. */
  kind: string;
  value: string;
  note: string | null;
  addedAt: string;
}

/** A client address some accounts used: how often, by how many of them, by how many accounts in all. */
export interface AddressUse {
  address: string;
  requests: number;
  members: number;
  accounts: number;
}

/** An account here that matched a partner's indicator in an analysis. */
export interface PartnerMatchRow {
  indicatorId: string;
  accountId: string;
  kind: string;
  partner: string;
  firstMs: number;
  lastMs: number;
  requests: number;
  analysedAt: string;
}

export interface StixObjectFilter {
  type?: string;
  origin?: StixObjectRow['origin'];
  /** Only each object's newest version (among those of `origin`, when given). */
  latest?: boolean;
}

export interface IntelStore {
  /** Upserts findings (a later analysis of the same campaign replaces the earlier; a withdrawal stays). */
  saveCampaignFindings(rows: CampaignFindingRow[]): Promise<void>;
  readCampaignFindings(campaignId?: string): Promise<CampaignFindingRow[]>;
  /** Marks a finding withdrawn; false when there is no such campaign. */
  withdrawCampaignFinding(campaignId: string, at: string, reason: string): Promise<boolean>;

  addIntelKey(row: IntelKeyRow): Promise<void>;
  listIntelKeys(): Promise<IntelKeyRow[]>;
  /** Retires every active key but `keepKeyId`. */
  retireIntelKeys(keepKeyId: string, at: string): Promise<number>;

  /** The newest version of an object (of this origin only, when given), or null. */
  latestStixObject(id: string, origin?: StixObjectRow['origin']): Promise<StixObjectRow | null>;
  /**
   * Stores versions in one transaction, each with its receipt: a version already stored with the
   * same content is 'known' (its receipt added if new), with other content a 'conflict' (nothing
   * stored for it).
   */
  putStixObjects(rows: StixObjectRow[], receipt: StixReceipt): Promise<StixPutOutcome[]>;
  /** One stored version, or null. */
  readStixVersion(id: string, version: string): Promise<StixObjectRow | null>;
  /** Stored versions, oldest first; `type` filters; `origin` filters. */
  listStixObjects(filter?: StixObjectFilter): Promise<StixObjectRow[]>;
  readStixReceipts(id: string): Promise<(StixReceipt & { version: string })[]>;

  /** The client addresses these accounts used (two scans of the interactions; for exports, not hot paths). */
  addressesOf(accountIds: string[]): Promise<AddressUse[]>;

  /** Upserts matches (a later analysis of the same account and indicator replaces the earlier). */
  savePartnerMatches(rows: PartnerMatchRow[]): Promise<void>;
  readPartnerMatches(): Promise<PartnerMatchRow[]>;

  addWarning(row: WarningListRow): Promise<boolean>;
  listWarnings(): Promise<WarningListRow[]>;
}
