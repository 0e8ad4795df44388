// The designation part of the persistence port: users (their tokens as keyed hashes only), the
// transparency log (entries, leaf hashes, signed checkpoints) and cases with their history.

export interface UserRow {
  name: string;
  /** 'viewer', 'analyst', 'reviewer', 'liaison' or 'admin'. */
  role: string;
  /** HMAC of the token under the store's key-hashing secret; the token itself is never stored. */
  tokenHash: string;
  createdAt: string;
  createdBy: string;
  disabledAt: string | null;
}

/** One entry of the append-only log: the bytes hashed into its leaf, and that leaf hash. */
export interface LogEntryRow {
  /** 0-based position in the log. */
  index: number;
  entry: Buffer;
  leafHash: Buffer;
}

export interface CheckpointRow {
  treeSize: number;
  /** The signed note (C2SP tlog-checkpoint body with its signature lines). */
  note: string;
  createdAt: string;
}

export interface CaseRow {
  caseId: string;
  campaignId: string;
  state: string;
  openedBy: string;
  openedAt: string;
  updatedAt: string;
  /** When a designation lapses (set by the designation, kept through an upheld appeal). */
  expiresAt: string | null;
  /** The campaign as it stood when the case was opened (analysis report's campaign), JSON. */
  snapshot: string;
}

/** Something that happened to a case: a transition, an approval, an attachment, a note. */
export interface CaseEventRow {
  seq: number;
  caseId: string;
  /** 'opened', 'transition', 'approval', 'attachment', 'refused'. */
  kind: string;
  actor: string;
  role: string;
  at: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  /** Further fields (statement, expiry, attachment hash), JSON. */
  detail: string;
  /** The log entry that records it (null for refusals, which are not logged). */
  logIndex: number | null;
}

export interface CaseAttachmentRow {
  /** SHA-256 of the content, hex. */
  sha256: string;
  caseId: string;
  /** 'analysis', 'audit', 'sighting' or 'note'. */
  kind: string;
  name: string;
  content: Buffer;
  addedBy: string;
  addedAt: string;
  logIndex: number;
}

/** Requests per time bucket of some accounts (the report's timeline). */
export interface TrafficBucket {
  bucketMs: number;
  requests: number;
}

export interface DesignationStore {
  /**
   * Runs `work` in one transaction (the log append and the case change commit together): the
   * store calls `work` makes, and only those, are inside it; a call nested in `work` joins it.
   */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `work` on one consistent snapshot of the store (reads only; writers go on meanwhile). */
  snapshot<T>(work: () => Promise<T>): Promise<T>;

  addUser(row: UserRow): Promise<boolean>;
  findUser(name: string): Promise<UserRow | null>;
  findUserByTokenHash(tokenHash: string): Promise<UserRow | null>;
  listUsers(): Promise<UserRow[]>;
  disableUser(name: string, at: string): Promise<boolean>;

  /** Appends an entry at the next index and returns that index. */
  appendLogEntry(entry: Buffer, leafHash: Buffer): Promise<number>;
  logSize(): Promise<number>;
  /** Entries `from` (inclusive) to `to` (exclusive), in index order. */
  readLogEntries(from?: number, to?: number): Promise<LogEntryRow[]>;
  /** Every leaf hash, in index order. */
  readLeafHashes(): Promise<Buffer[]>;
  saveCheckpoint(row: CheckpointRow): Promise<void>;
  latestCheckpoint(): Promise<CheckpointRow | null>;
  listCheckpoints(): Promise<CheckpointRow[]>;

  nextCaseNumber(): Promise<number>;
  addCase(row: CaseRow): Promise<void>;
  findCase(caseId: string): Promise<CaseRow | null>;
  listCases(): Promise<CaseRow[]>;
  updateCase(
    caseId: string,
    change: { state: string; updatedAt: string; expiresAt?: string | null },
  ): Promise<void>;
  addCaseEvent(row: Omit<CaseEventRow, 'seq'>): Promise<number>;
  readCaseEvents(caseId: string): Promise<CaseEventRow[]>;
  addAttachment(row: CaseAttachmentRow): Promise<boolean>;
  readAttachments(caseId: string): Promise<CaseAttachmentRow[]>;

  /** Requests of these accounts per bucket of `bucketMs`, oldest first. */
  trafficOf(accountIds: string[], bucketMs: number): Promise<TrafficBucket[]>;
  /** Which client addresses each of these accounts used, and how often. */
  addressesByAccount(
    accountIds: string[],
  ): Promise<{ accountId: string; address: string; requests: number }[]>;
  /** Ids of the first `perAccount` interactions of each account, oldest first. */
  interactionIdsOf(
    accountIds: string[],
    perAccount: number,
  ): Promise<{ accountId: string; id: string }[]>;
  /** When each model was first seen in all the traffic (a release, as far as the traffic shows). */
  modelsFirstSeen(
    accountIds: string[],
  ): Promise<{ model: string; firstMs: number; requests: number }[]>;
}
