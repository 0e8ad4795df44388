// Messages between the gateway and its live detector (a process of its own beside the gateway).
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
  /** Stored exchanges folded in so far. */
  interactions: number;
  observedAccounts: number;
  accounts: [string, LiveAccountState][];
  campaigns: LiveCampaignState[];
  /** The full findings' reasons per listed account, for decisions and the admin API. */
  reasons: [string, string][];
  elapsedMs: number;
}

export type LiveRequest =
  /** Read the accounts table again (after an accounts import). */
  | { op: 'facts' }
  /** Assess once every stored exchange up to sequence number `upTo` has been folded in. */
  | { op: 'assess'; seq: number; upTo: number }
  | { op: 'close' };

export type LiveReply =
  | { op: 'assessment'; seq: number; assessment: LiveAssessment }
  | { op: 'failed'; message: string }
  /** A stored exchange that could not be read back (its imported file is gone); skipped. */
  | { op: 'skipped'; seq: number; path: string };
