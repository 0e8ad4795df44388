// What is stored for every decision, and the port the gateway implements to store it. Each record
// carries its reason, so an analyst can see why a caller was throttled, verified, degraded or blocked.
import { formatTimestamp, type Verdict } from '../core/index.js';
import type { Action } from './actions.js';
import type { AccountState, Decision } from './ladder.js';

export interface DecisionRecord {
  /** RFC 3339, UTC. */
  ts: string;
  account_id: string;
  campaign_id: string | null;
  action: Action;
  reason: string;
  /** The rule that decided, or null. */
  rule: string | null;
  verdict: Verdict | null;
  risk: number;
  campaign_risk: number | null;
  ttl_s: number;
  cohort?: number;
}

export interface DecisionSink {
  record(decision: DecisionRecord): void;
}

/** The record to store for a decision taken at `nowMs` on `state`. */
export function toDecisionRecord(
  state: AccountState,
  decision: Decision,
  nowMs: number,
): DecisionRecord {
  const record: DecisionRecord = {
    ts: formatTimestamp(nowMs),
    account_id: state.accountId,
    campaign_id: decision.campaign_id,
    action: decision.action,
    reason: decision.reason,
    rule: decision.rule,
    verdict: state.verdict,
    risk: state.risk,
    campaign_risk: state.campaign?.risk ?? null,
    ttl_s: decision.ttl_s,
  };
  if (decision.cohort !== undefined) record.cohort = decision.cohort;
  return record;
}

/** Keeps the latest records in memory (bounded); for tests and a single-process gateway. */
export class MemoryDecisionSink implements DecisionSink {
  readonly records: DecisionRecord[] = [];

  constructor(private readonly capacity = 10_000) {}

  record(decision: DecisionRecord): void {
    this.records.push(decision);
    if (this.records.length > this.capacity)
      this.records.splice(0, this.records.length - this.capacity);
  }
}
