// What live detection hands the gateway: every listed account's verdict, risk and campaign, each
// campaign's members and risk, and the reasons, built from the streaming pipeline's state.
import type { AccountFacts } from './account-facts.js';
import { buildFindings } from './findings.js';
import type { LiveAccountState, LiveAssessment, LiveCampaignState } from './live-protocol.js';
import type { DetectionPipeline } from './pipeline.js';
import type { PartnerIndicatorSet } from './partner-indicators.js';

/** `through`: the store's sequence number read through (the gateway measures how far behind that is). */
export function liveAssessment(
  pipeline: DetectionPipeline,
  facts: Map<string, AccountFacts>,
  interactions: number,
  through = 0,
  partners: PartnerIndicatorSet | null = null,
): LiveAssessment {
  const started = performance.now();
  const findings = buildFindings(pipeline.observed, facts, partners);
  const accounts: [string, LiveAccountState][] = findings.accounts.map((account) => [
    account.account_id,
    { verdict: account.verdict, risk: account.risk, campaignId: account.campaign_id ?? null },
  ]);
  const verdicts = new Map(accounts);
  const campaigns: LiveCampaignState[] = findings.campaigns.map((campaign) => ({
    id: campaign.campaign_id,
    risk: campaign.risk,
    accounts: campaign.accounts,
    verdict: campaign.accounts.some((id) => verdicts.get(id)?.verdict === 'extraction')
      ? 'extraction'
      : null,
  }));
  const reasons: [string, string][] = findings.accounts.map((account) => [
    account.account_id,
    account.reasons.map((reason) => reason.detail).join(' '),
  ]);
  return {
    at: Date.now(),
    interactions,
    through,
    observedAccounts: pipeline.observed.profiles.size,
    accounts,
    campaigns,
    reasons,
    elapsedMs: performance.now() - started,
  };
}
