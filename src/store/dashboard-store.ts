import type { AccountRow, DecisionRow } from './store.js';

// The dashboard's part of the persistence port: what analyze found about each account (so a page
// can say why, not only that), audits started from the dashboard, and the paged, indexed reads its
// pages make (traffic per bucket, per-account statistics, an account's exchanges).

/** An account's verdict as the latest analysis gave it (accounts judged normal have none). */
export interface AccountFindingRow {
  accountId: string;
  analysedAt: string;
  /** 'extraction', 'review' or 'benchmark'. */
  verdict: string;
  risk: number;
  campaignId: string | null;
  /** The report's reasons, JSON ([{signal, detail, weight?}]). */
  reasons: string;
}

/** Requests per time bucket. */
export interface TrafficCount {
  bucketMs: number;
  requests: number;
}

/** One account's traffic in figures (read from the account-and-time index alone). */
export interface AccountTraffic {
  accountId: string;
  requests: number;
  firstMs: number;
  lastMs: number;
}

/** One model an account used. */
export interface AccountModelUse {
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** An exchange as a table row: the metadata, never the text. */
export interface ExchangeRow {
  seq: number;
  id: string;
  tsMs: number;
  api: string;
  model: string;
  clientIp: string | null;
  status: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  latencyMs: number | null;
}

/** A watermark audit started from the dashboard: its request and, once done, its evidence. */
export interface AuditRunRow {
  auditId: string;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  /** 'running', 'done' or 'failed'. */
  status: string;
  /** What was asked (suspect URL, model, key, prompts), JSON. */
  request: string;
  /** The audit evidence (`distillguard.audit-evidence/v1`), JSON, once done. */
  evidence: string | null;
  error: string | null;
}

export interface DashboardStore {
  /** Replaces every account finding with those of one analysis (in one transaction). */
  replaceAccountFindings(rows: AccountFindingRow[]): Promise<void>;
  readAccountFinding(accountId: string): Promise<AccountFindingRow | null>;
  /** Findings of a verdict and/or campaign, riskiest first. */
  readAccountFindings(filter?: {
    verdict?: string;
    campaignId?: string;
  }): Promise<AccountFindingRow[]>;
  /** One page of those findings, and how many there are in all. */
  accountFindingsPage(
    filter: { verdict?: string; campaignId?: string },
    page: { offset: number; limit: number },
  ): Promise<{ total: number; rows: AccountFindingRow[] }>;
  /** How many accounts each verdict has. */
  verdictCounts(): Promise<Record<string, number>>;
  /** The stored facts of these accounts (by primary key; those not stored are left out). */
  accountsOf(accountIds: string[]): Promise<AccountRow[]>;
  /** Each of these accounts' newest decision (accounts never decided on are left out). */
  latestDecisionsOf(accountIds: string[]): Promise<DecisionRow[]>;

  /** Requests of all accounts per bucket from `fromMs` (inclusive), oldest first. */
  trafficSince(fromMs: number, bucketMs: number): Promise<TrafficCount[]>;
  /** Requests of one account per bucket, oldest first. */
  trafficOfAccount(accountId: string, bucketMs: number): Promise<TrafficCount[]>;
  /** The newest interaction's time (0 when empty). */
  newestInteractionMs(): Promise<number>;
  /** Per-account figures for these accounts (those with no traffic are left out). */
  accountTraffic(accountIds: string[]): Promise<AccountTraffic[]>;
  /** Models one account used, with counts and tokens, most used first. */
  modelsOfAccount(accountId: string): Promise<AccountModelUse[]>;
  /** An account's exchanges, newest first: `limit` of them older than `before` (a row's time and seq). */
  exchangesOf(
    accountId: string,
    options: { before?: { tsMs: number; seq: number }; limit: number },
  ): Promise<ExchangeRow[]>;
  /** The account a stored interaction belongs to, or null. */
  accountOfInteraction(id: string): Promise<string | null>;

  /** How many decisions are stored, and the newest one's time ('' when none): what changed, cheaply. */
  decisionsMark(): Promise<{ count: number; newest: string }>;
  /** How many accounts each action applies to now (each account's newest decision). */
  accountsByAction(): Promise<Record<string, number>>;
  /** The newest time any case changed ('' when none). */
  casesMark(): Promise<string>;

  /** Keeps a campaign's drawn view (designate/campaign-view.ts) for one analysis. */
  saveCampaignView(campaignId: string, analysedAt: string, view: string): Promise<void>;
  readCampaignView(campaignId: string): Promise<{ analysedAt: string; view: string } | null>;

  addAuditRun(row: AuditRunRow): Promise<void>;
  finishAuditRun(
    auditId: string,
    outcome: { finishedAt: string; status: string; evidence: string | null; error: string | null },
  ): Promise<void>;
  readAuditRun(auditId: string): Promise<AuditRunRow | null>;
  listAuditRuns(): Promise<AuditRunRow[]>;
  /** Marks every audit still 'running' failed with this error (a server that stopped mid-audit); how many. */
  abandonAuditRuns(finishedAt: string, error: string): Promise<number>;
}
