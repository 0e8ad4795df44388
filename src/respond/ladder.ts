// The response ladder: maps an account's verdict and risk, and its campaign's, to one action with
// a reason a person can read. Pure: the same state, policy and time give the same decision.
import type { Verdict } from '../core/index.js';
import { severityOf, type Action } from './actions.js';
import { cohortOf } from './cohort.js';
import type { LadderRule, PolicyConfig } from './policy-config.js';

export interface CampaignState {
  id: string;
  verdict: Verdict | null;
  /** Campaign risk in [0, 1] (logistic of the campaign's log-odds). */
  risk: number;
  /** Number of member accounts. */
  accounts: number;
}

/** What the ladder knows about the caller when a request arrives. */
export interface AccountState {
  accountId: string;
  verdict: Verdict | null;
  /** Account risk in [0, 1]; 0 when the account was never flagged. */
  risk: number;
  campaign: CampaignState | null;
}

export interface Decision {
  action: Action;
  /** One sentence: which rule, which verdict and risk. */
  reason: string;
  /** The rule that decided, or null when none matched (observe). */
  rule: string | null;
  campaign_id: string | null;
  ttl_s: number;
  /** When the decision should be taken again (epoch ms): now + ttl_s. */
  expires_at_ms: number;
  /** Tracer cohort index; present on tracer decisions, and on throttle and degrade ones (which still serve output) when tracer.with_enforcement. */
  cohort?: number;
}

/** Enforcement that still returns model output (verify and block refuse the request). */
const servesContent = (action: Action) => action === 'throttle' || action === 'degrade';

const verdictPhrase = (verdict: Verdict | null) =>
  verdict === null ? 'no verdict' : `${verdict === 'extraction' ? 'an' : 'a'} ${verdict} verdict`;

const riskText = (risk: number) => (Math.round(risk * 1000) / 1000).toString();

function matches(rule: LadderRule, state: AccountState): boolean {
  if (state.risk < rule.min_account_risk) return false;
  if (rule.account_verdict !== undefined && state.verdict !== rule.account_verdict) return false;
  if (rule.campaign_verdict !== undefined) {
    const campaign = state.campaign;
    if (campaign === null || campaign.verdict !== rule.campaign_verdict) return false;
    if (campaign.risk < rule.min_campaign_risk || campaign.accounts < rule.min_campaign_accounts)
      return false;
  }
  return true;
}

function describeAccount(state: AccountState): string {
  return state.verdict === null
    ? `account ${state.accountId} (no verdict, risk ${riskText(state.risk)})`
    : `account ${state.accountId} (${state.verdict}, risk ${riskText(state.risk)})`;
}

function explainMatch(rule: LadderRule, state: AccountState): string {
  const head = `Rule '${rule.name}' (${rule.action})`;
  const campaign = state.campaign;
  if (rule.campaign_verdict !== undefined && campaign !== null) {
    const minimums = [
      rule.min_campaign_risk > 0 ? `campaign risk >= ${riskText(rule.min_campaign_risk)}` : '',
      rule.min_campaign_accounts > 0 ? `>= ${rule.min_campaign_accounts} accounts` : '',
    ].filter(Boolean);
    const needs = minimums.length > 0 ? ` (rule needs ${minimums.join(' and ')})` : '';
    const ownPart =
      rule.account_verdict !== undefined
        ? `${describeAccount(state)} also matches`
        : `${describeAccount(state)} is acted on with its campaign`;
    return `${head}: campaign ${campaign.id} has ${verdictPhrase(rule.campaign_verdict)} at risk ${riskText(campaign.risk)} with ${campaign.accounts} accounts${needs}; ${ownPart}.`;
  }
  const needs =
    rule.min_account_risk > 0 ? ` (rule needs risk >= ${riskText(rule.min_account_risk)})` : '';
  return `${head}: account ${state.accountId} has ${verdictPhrase(state.verdict)} at risk ${riskText(state.risk)}${needs}.`;
}

/**
 * Decides what to do with a caller's requests. Benchmark accounts are always observed, whatever
 * else is true; otherwise the most severe matching rule wins (ties: the earlier rule), and nothing
 * matching means observe. Members of a campaign get the campaign's action even when their own
 * score is modest, because campaign rules look only at the campaign.
 * @example decide({ accountId: 'a1', verdict: 'extraction', risk: 0.999, campaign: null }, defaultPolicy, Date.now()).action // 'block'
 */
export function decide(state: AccountState, policy: PolicyConfig, nowMs: number): Decision {
  const base = {
    campaign_id: state.campaign?.id ?? null,
    ttl_s: policy.ttl_s,
    expires_at_ms: nowMs + policy.ttl_s * 1000,
  };
  if (state.verdict === 'benchmark') {
    return {
      ...base,
      action: 'observe',
      rule: null,
      reason: `Account ${state.accountId} has a benchmark verdict (recognised evaluation traffic, protected): observed only, never enforced.`,
    };
  }
  let chosen: LadderRule | null = null;
  for (const rule of policy.rules) {
    if (!matches(rule, state)) continue;
    if (chosen === null || severityOf(rule.action) > severityOf(chosen.action)) chosen = rule;
  }
  if (chosen === null || chosen.action === 'observe') {
    const campaignPart =
      state.campaign === null
        ? ''
        : ` in campaign ${state.campaign.id} (${state.campaign.verdict ?? 'no verdict'}, risk ${riskText(state.campaign.risk)})`;
    const reason =
      chosen === null
        ? `No rule matched ${describeAccount(state)}${campaignPart}: observed.`
        : explainMatch(chosen, state);
    return { ...base, action: 'observe', rule: chosen?.name ?? null, reason };
  }
  const decision: Decision = {
    ...base,
    action: chosen.action,
    rule: chosen.name,
    reason: explainMatch(chosen, state),
  };
  if (
    chosen.action === 'tracer' ||
    (servesContent(chosen.action) && policy.tracer.with_enforcement)
  ) {
    decision.cohort = cohortOf(
      { campaignId: state.campaign?.id ?? null, accountId: state.accountId },
      policy.tracer.cohorts,
    );
  }
  return decision;
}
