// Indexes an analysis report by account id and by campaign, so every labelled account's verdict
// and grouping is one lookup even with 100k accounts.
import type { AnalysisReport, ReportedAccount } from '../core/index.js';

export interface ReportIndex {
  /** The first listing of each account id. */
  accountsById: Map<string, ReportedAccount>;
  /** Ids listed more than once in report.accounts (only the first listing counts). */
  duplicateIds: string[];
  /** Report campaign id → distinct members: its `accounts` list plus the accounts whose campaign_id names it. */
  campaignMembers: Map<string, Set<string>>;
  /** Every distinct account id the report mentions, in the order first mentioned. */
  mentionedIds: string[];
}

export function indexReport(report: AnalysisReport): ReportIndex {
  const accountsById = new Map<string, ReportedAccount>();
  const duplicateIds = new Set<string>();
  const campaignMembers = new Map<string, Set<string>>();
  const mentioned = new Set<string>();

  const membersOf = (campaignId: string): Set<string> => {
    let members = campaignMembers.get(campaignId);
    if (!members) {
      members = new Set();
      campaignMembers.set(campaignId, members);
    }
    return members;
  };

  for (const account of report.accounts) {
    mentioned.add(account.account_id);
    if (accountsById.has(account.account_id)) {
      duplicateIds.add(account.account_id);
      continue;
    }
    accountsById.set(account.account_id, account);
    if (typeof account.campaign_id === 'string')
      membersOf(account.campaign_id).add(account.account_id);
  }
  for (const campaign of report.campaigns) {
    const members = membersOf(campaign.campaign_id);
    for (const accountId of campaign.accounts) {
      members.add(accountId);
      mentioned.add(accountId);
    }
  }
  return {
    accountsById,
    duplicateIds: [...duplicateIds],
    campaignMembers,
    mentionedIds: [...mentioned],
  };
}

/** The report campaign an account was grouped into: only a string campaign_id counts, null or absent is ungrouped. */
export function groupOf(account: ReportedAccount | undefined): string | null {
  return typeof account?.campaign_id === 'string' ? account.campaign_id : null;
}
