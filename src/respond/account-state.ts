// The ladder's per-account state: from an analysis report (contracts/analysis-report, how a
// report's verdicts and campaigns read as ladder input; the ladder's tests decide on it, nothing
// loads `analyze --out` at run time), and for an unflagged account (no rule has matched it).
import type { AnalysisReport, Verdict } from '../core/index.js';
import type { AccountState, CampaignState } from './ladder.js';

/**
 * One AccountState per account listed in the report or in a campaign. The report gives campaigns
 * no verdict: a campaign is `extraction` when any member is, else `review`; a campaign member not
 * listed itself gets verdict null and risk 0 (it is acted on through its campaign).
 */
export function accountStatesFromReport(report: AnalysisReport): Map<string, AccountState> {
  const verdictOf = new Map<string, Verdict>(
    report.accounts.map((account) => [account.account_id, account.verdict]),
  );
  const campaigns = new Map<string, CampaignState>();
  const campaignOfAccount = new Map<string, CampaignState>();
  for (const campaign of report.campaigns) {
    const verdict: Verdict = campaign.accounts.some(
      (accountId) => verdictOf.get(accountId) === 'extraction',
    )
      ? 'extraction'
      : 'review';
    const state: CampaignState = {
      id: campaign.campaign_id,
      verdict,
      risk: campaign.risk,
      accounts: campaign.accounts.length,
    };
    campaigns.set(campaign.campaign_id, state);
    for (const accountId of campaign.accounts) campaignOfAccount.set(accountId, state);
  }
  const states = new Map<string, AccountState>();
  for (const account of report.accounts) {
    const campaign =
      (account.campaign_id ? campaigns.get(account.campaign_id) : undefined) ??
      campaignOfAccount.get(account.account_id) ??
      null;
    states.set(account.account_id, {
      accountId: account.account_id,
      verdict: account.verdict,
      risk: account.risk,
      campaign: account.verdict === 'benchmark' ? null : campaign,
    });
  }
  for (const [accountId, campaign] of campaignOfAccount) {
    if (!states.has(accountId))
      states.set(accountId, { accountId, verdict: null, risk: 0, campaign });
  }
  return states;
}

/** The state of an unflagged account (one no rule has matched): no verdict, no campaign. */
export function unflaggedAccount(accountId: string): AccountState {
  return { accountId, verdict: null, risk: 0, campaign: null };
}
