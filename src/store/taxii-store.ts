// The TAXII part of the persistence port: collections, which object versions each holds and when
// they were added, partners (their secrets as keyed hashes only) and status resources.

export interface TaxiiCollectionRow {
  id: string;
  /** A short name (e.g. 'campaigns'); unique. */
  alias: string | null;
  title: string;
  description: string | null;
  createdAt: string;
}

/** One object version in a collection, with the object itself. */
export interface TaxiiEntry {
  seq: number;
  objectId: string;
  version: string;
  dateAdded: string;
  /** The object as stored (canonical JSON). */
  object: string;
}

export interface TaxiiPartnerRow {
  name: string;
  secretHash: string;
  /** Collection ids or aliases this partner may read / write ('*': all). */
  canRead: string[];
  canWrite: string[];
  /** Whether TLP:AMBER objects may go to this partner. */
  amber: boolean;
  createdAt: string;
  revokedAt: string | null;
}

export interface TaxiiEntryFilter {
  collectionId: string;
  /** Entries added strictly after this time. */
  addedAfter?: string;
  /** Entries after this sequence number (pagination). */
  afterSeq?: number;
  objectIds?: string[];
  types?: string[];
  objectId?: string;
}

export interface TaxiiStore {
  addCollection(row: TaxiiCollectionRow): Promise<boolean>;
  listCollections(): Promise<TaxiiCollectionRow[]>;
  /** By id or alias. */
  findCollection(idOrAlias: string): Promise<TaxiiCollectionRow | null>;
  /** Adds object versions to a collection (each once); returns how many were new to it. */
  addToCollection(
    collectionId: string,
    entries: { objectId: string; version: string }[],
    dateAdded: string,
  ): Promise<number>;
  /** Entries in date_added order (then sequence), with their objects. */
  listEntries(filter: TaxiiEntryFilter): Promise<TaxiiEntry[]>;

  addPartner(row: TaxiiPartnerRow): Promise<void>;
  findPartner(name: string): Promise<TaxiiPartnerRow | null>;
  findPartnerBySecretHash(secretHash: string): Promise<TaxiiPartnerRow | null>;
  listPartners(): Promise<TaxiiPartnerRow[]>;
  revokePartner(name: string, at: string): Promise<boolean>;

  /** Where the last pull from a server's collection ended (its last date_added), or null. */
  readPullCursor(server: string, collection: string): Promise<string | null>;
  writePullCursor(
    server: string,
    collection: string,
    addedAfter: string,
    at: string,
  ): Promise<void>;

  saveStatus(id: string, partner: string, status: string, createdAt: string): Promise<void>;
  /** The status resource JSON, if this partner made it. */
  readStatus(id: string, partner: string): Promise<string | null>;
}
