// Messages between the gateway's live detection and its worker thread.
import type { AccountFacts } from './account-facts.js';
import type { Verdict } from '../core/index.js';

export interface LiveAccountState {
  verdict: Verdict;
  /** Probability of harvesting (logistic of the log-odds). */
  risk: number;
  campaignId: string | null;
}

export interface LiveCampaignState {
  id: string;
  risk: number;
  accounts: string[];
  /** 'extraction' when any member is enforcement-grade. */
  verdict: Verdict | null;
}

/** What one assessment found: only listed accounts (extraction, review, benchmark) appear. */
export interface LiveAssessment {
  at: number;
  interactions: number;
  observedAccounts: number;
  accounts: [string, LiveAccountState][];
  campaigns: LiveCampaignState[];
  /** The full findings' reasons per listed account, for decisions and the admin API. */
  reasons: [string, string][];
  elapsedMs: number;
}

export type LiveRequest =
  /** Raw interaction records (JSON text), each a first sighting. */
  | { op: 'observe'; records: string[] }
  | { op: 'facts'; facts: [string, AccountFacts][] }
  | { op: 'assess'; seq: number };

export type LiveReply = { op: 'assessment'; seq: number; assessment: LiveAssessment } | { op: 'failed'; message: string };
