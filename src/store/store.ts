// The persistence port: what ingest, analysis and the gateway need from a store (imports,
// interactions, accounts, benchmark items, API keys and admin tokens, settings, decisions).
// Intelligence has its own part (intel-store.ts). Adapters implement it (sqlite/ today); the rest of the code sees only this.
import type { IntelStore } from './intel-store.js';
import type { TaxiiStore } from './taxii-store.js';
import type { DesignationStore } from './designation-store.js';
import type { DashboardStore } from './dashboard-store.js';

/** The fields of an interaction that detection reads, plus where the full record lives. */
export interface InteractionRow {
  id: string;
  tsMs: number;
  accountId: string;
  keyId: string | null;
  api: string;
  model: string;
  clientIp: string | null;
  clientAsn: number | null;
  clientCountry: string | null;
  userAgent: string | null;
  status: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  latencyMs: number | null;
  /** 1-based line number in the source. */
  line: number;
  /** Byte offset and length of the record in the (decompressed) source: the pointer to the raw record. */
  byteOffset: number;
  byteLength: number;
  /** The raw JSON line, kept only when the source cannot be read again (stdin). */
  raw: string | null;
  /**
   * For a row kept as a pointer (`raw` null): the line as read. The write thread stores only its
   * hash, which every read through the pointer is checked against.
   */
  pointedRaw?: string;
}

export interface AccountRow {
  accountId: string;
  createdAtMs: number | null;
  verification: string | null;
  orgId: string | null;
  emailDomain: string | null;
  paymentFingerprint: string | null;
  country: string | null;
  signupIp: string | null;
  /** The account record as JSON, so fields added by producers are kept. */
  record: string;
}

export interface BenchmarkItemRow {
  suite: string;
  shingles: Uint32Array;
}

export interface RejectedLineRow {
  line: number;
  field: string;
  reason: string;
  text: string;
}

export type ImportKind = 'interactions' | 'accounts';

export interface SourceInfo {
  /** 'gateway', 'http' and 'bus': records that arrived over the network, kept whole in `raw`. */
  kind: 'file' | 'gzip' | 'stdin' | 'gzip-stdin' | 'gateway' | 'http' | 'bus';
  path: string | null;
  size: number | null;
  modifiedMs: number | null;
}

export interface ImportTally {
  lines: number;
  accepted: number;
  rejected: number;
  /** Distinct records of this import (duplicates within the input counted once). */
  distinct: number;
  status: 'complete' | 'stopped' | 'failed';
}

/** What an import of interactions covered, computed from the stored records. */
export interface InteractionImportSummary {
  interactions: number;
  accounts: number;
  fromMs: number | null;
  toMs: number | null;
  /** Records that were new to the store (the rest had been imported before). */
  newRecords: number;
}

/** An API key as stored: never the secret, only its keyed hash. */
export interface ApiKeyRow {
  keyId: string;
  accountId: string;
  secretHash: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** A scoped admin token as stored: its keyed hash, never the secret. */
export interface AdminTokenRow {
  tokenId: string;
  /** Comma-separated scopes (read, act, keys). */
  scopes: string;
  secretHash: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** An enforcement decision, stored with its reason. */
export interface DecisionRow {
  ts: string;
  accountId: string;
  campaignId: string | null;
  action: string;
  verdict: string | null;
  risk: number | null;
  reason: string;
}

/** The flag `writeInteractions` gives a row SQLite refused (a constraint); it is kept in rejected_lines. */
export const refusedRecord = 2;
/** The flag `writeInteractions` gives a row whose id is stored with different content; the stored record is kept. */
export const conflictingRecord = 3;

/** What `prune` removes: times are epoch ms; either may be absent. */
export interface PruneOptions {
  /** Interactions before this time are deleted, row and all. */
  rowsBeforeMs?: number;
  /** Interactions before this time keep their row and metadata; the prompt and answer text go. */
  textBeforeMs?: number;
  /** Sequence numbers looked at per write batch (default 1000): bounds how long one batch holds the writer. */
  batchRows?: number;
  /** Stops the prune between two batches (a closing gateway). */
  signal?: AbortSignal;
}

export interface PruneTally {
  rowsDeleted: number;
  /** Interactions whose raw record was reduced to its metadata. */
  textPruned: number;
  /** Rejected lines whose kept text was emptied. */
  rejectedTextPruned: number;
  batches: number;
}

/**
 * Every call is asynchronous, so that one port fits an embedded file and a database server
 * (decision record 2026-12-07-async-store-port). On SQLite the bulk writes run on the store's
 * write thread, so that a caller serving requests never waits on its event loop for a lock another
 * process holds; reads and the small writes run on the caller's connection and resolve at once.
 */
export interface Store {
  /** Intelligence: campaign findings, community keys, STIX objects, the warning list. */
  readonly intel: IntelStore;
  /** TAXII 2.1: collections, partners, status resources. */
  readonly taxii: TaxiiStore;
  /** Users, the transparency log and cases (designation-store.ts). */
  readonly designation: DesignationStore;
  /** Account findings, audit runs and the dashboard's reads (dashboard-store.ts). */
  readonly dashboard: DashboardStore;
  /**
   * Registers an import of `kind` from `source`; returns its id. `bulk`: a batch load (the CLI's
   * ingest), which may defer the store's read indexes to its finish when the store is empty; never
   * for a writer that stays open (the gateway's).
   */
  beginImport(kind: ImportKind, source: SourceInfo, options?: { bulk?: boolean }): Promise<number>;
  /**
   * Writes a batch; resolves to which rows were counted for this import (1: first sighting of the
   * id in it, 0: a repeat), so that downstream work sees every record exactly once.
   * `refusedRecord`: SQLite refused the row (a constraint), kept in rejected_lines; the others are
   * still written. `conflictingRecord`: the id is stored with different content; the stored record is kept.
   */
  writeInteractions(importId: number, rows: InteractionRow[]): Promise<Uint8Array>;
  /** Upserts account records (the latest record for an id wins); resolves to the rows written. */
  writeAccounts(importId: number, rows: AccountRow[]): Promise<number>;
  /** Keeps rejected lines so that nothing read is lost. */
  writeRejections(importId: number, rows: RejectedLineRow[]): Promise<void>;
  /** Waits for pending writes and records the import's outcome. */
  finishImport(importId: number, tally: ImportTally): Promise<void>;
  summarizeInteractionImport(importId: number): Promise<InteractionImportSummary>;
  /** Every stored account record. */
  readAccounts(): Promise<AccountRow[]>;
  /** Benchmark items added with `distillguard benchmarks add`: suite and keyed shingle hashes. */
  addBenchmarkItems(items: BenchmarkItemRow[]): Promise<void>;
  readBenchmarkItems(): Promise<BenchmarkItemRow[]>;
  /** The raw JSON of a stored interaction, read back through its pointer; null if unknown. */
  readRawInteraction(id: string): Promise<string | null>;
  /** Stores a new key (its keyed hash only). */
  addApiKey(key: ApiKeyRow): Promise<void>;
  /** The key with this secret hash, revoked or not; null if none. */
  findApiKey(secretHash: string): Promise<ApiKeyRow | null>;
  listApiKeys(accountId?: string): Promise<ApiKeyRow[]>;
  /** Marks a key revoked; false if no such key. */
  revokeApiKey(keyId: string, at: string): Promise<boolean>;
  /** Stores a new admin token (its keyed hash only). */
  addAdminToken(token: AdminTokenRow): Promise<void>;
  /** The admin token with this secret hash, revoked or not; null if none. */
  findAdminToken(secretHash: string): Promise<AdminTokenRow | null>;
  listAdminTokens(): Promise<AdminTokenRow[]>;
  /** Marks an admin token revoked; false if no such token. */
  revokeAdminToken(tokenId: string, at: string): Promise<boolean>;
  /** A stored setting, or null. */
  readSetting(name: string): Promise<string | null>;
  /** Stores `value` unless the setting exists; returns the value stored now (the first writer wins). */
  writeSettingOnce(name: string, value: string): Promise<string>;
  /** Appends decisions (batched on the write thread). */
  writeDecisions(rows: DecisionRow[]): Promise<void>;
  readDecisions(options?: { accountId?: string; limit?: number }): Promise<DecisionRow[]>;
  /**
   * Every stored interaction's raw JSON in arrival order, read back through its pointer; `upTo`
   * bounds the sequence number. A row whose imported file is gone or has changed since throws,
   * unless `onUnreadable` is given: it is told (`reason` completes "the file ...") and the row skipped.
   */
  exportInteractions(options?: {
    upTo?: number;
    onUnreadable?: (seq: number, path: string, reason: string) => void;
  }): AsyncIterable<string>;
  /** The highest interaction sequence number stored (0 when empty). */
  lastInteractionSeq(): Promise<number>;
  /**
   * Retention: deletes old interactions and strips the text of less old ones, in bounded batches
   * on the write thread (other writes go between them). Aggregates stay: imports, decisions, accounts.
   */
  prune(options: PruneOptions): Promise<PruneTally>;
  close(): Promise<void>;
}
