// Builders for the small hand-made labels and reports the eval tests score; kept apart so each test
// shows only the accounts that matter to it.
import type {
  AccountLabel,
  AnalysisReport,
  Labels,
  ReportedAccount,
  Verdict,
} from '../core/index.js';

/** Labels from `{ accountId: label }`. */
export function labelsOf(accounts: Record<string, AccountLabel>): Labels {
  return { accounts };
}

/** `count` accounts named `${prefix}1`..`${prefix}count` with the same label. */
export function manyLabels(
  prefix: string,
  count: number,
  label: AccountLabel,
): Record<string, AccountLabel> {
  const accounts: Record<string, AccountLabel> = {};
  for (let number = 1; number <= count; number += 1) accounts[`${prefix}${number}`] = label;
  return accounts;
}

/** One report account; pass `campaignId: undefined` to leave the field out. */
export function reported(
  accountId: string,
  verdict: Verdict,
  campaignId?: string | null,
): ReportedAccount {
  const account: ReportedAccount = {
    account_id: accountId,
    verdict,
    risk: verdict === 'extraction' ? 0.9 : 0.5,
    reasons: [],
  };
  if (campaignId !== undefined) account.campaign_id = campaignId;
  return account;
}

/** A valid report; campaigns default to the groups the accounts' campaign_ids form. */
export function reportOf(
  accounts: ReportedAccount[],
  campaigns?: Record<string, string[]>,
): AnalysisReport {
  const members = campaigns ?? {};
  if (!campaigns) {
    for (const account of accounts) {
      if (typeof account.campaign_id === 'string')
        (members[account.campaign_id] ??= []).push(account.account_id);
    }
  }
  return {
    schema: 'distillguard.report/v1',
    generated_at: '2026-02-02T09:30:00Z',
    input: { interactions: 1000, accounts: accounts.length },
    accounts,
    campaigns: Object.entries(members).map(([campaignId, accountIds]) => ({
      campaign_id: campaignId,
      accounts: accountIds,
      risk: 0.9,
      reasons: [],
    })),
  };
}
