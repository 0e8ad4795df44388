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
  /** Stored interactions folded in so far. */
  interactions: number;
  /** The store's sequence number the detector had read through when it assessed. */
  through: number;
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
  /** Assess once every stored interaction up to sequence number `upTo` has been folded in. */
  | { op: 'assess'; seq: number; upTo: number }
  | { op: 'close' };

/** How far the detector has read and how much memory it holds: sent every second. */
export interface DetectorStatus {
  op: 'status';
  /** The store's sequence number read through. */
  through: number;
  /** Stored interactions folded in, rows skipped (unreadable), accounts evicted (state bounds), since this detector started. */
  interactions: number;
  skipped: number;
  evictedAccounts: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapLimitBytes: number;
}

export type LiveReply =
  | { op: 'assessment'; seq: number; assessment: LiveAssessment }
  /** A page or an assessment failed as a whole; it is tried again at the next poll. */
  | { op: 'failed'; message: string }
  /** Stored rows that could not be read back or parsed, skipped (the first one's seq and reason, and how many in this page). */
  | { op: 'skipped'; seq: number; reason: string; count: number }
  | DetectorStatus;
