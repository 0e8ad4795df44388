// Per campaign the report found: how much of it is one true campaign. Benign and benchmark members
// are impurity; members the labels do not know are counted apart and left out of the ratio.
import type { Labels } from '../core/index.js';
import type { ReportCampaignPurity } from './evaluation-result.js';
import type { ReportIndex } from './report-index.js';
import { compareKeys, dominantKey, increment, share } from './tally.js';

export function measureReportCampaigns(labels: Labels, index: ReportIndex): ReportCampaignPurity[] {
  return [...index.campaignMembers]
    .sort(([left], [right]) => compareKeys(left, right))
    .map(([campaignId, members]) => {
      const byTrueCampaign = new Map<string, number>();
      let campaignMembers = 0;
      let benignMembers = 0;
      let benchmarkMembers = 0;
      let unknownMembers = 0;
      for (const accountId of members) {
        const label = Object.hasOwn(labels.accounts, accountId)
          ? labels.accounts[accountId]
          : undefined;
        if (!label) unknownMembers += 1;
        else if (label.class === 'benign') benignMembers += 1;
        else if (label.class === 'benchmark') benchmarkMembers += 1;
        else {
          campaignMembers += 1;
          // A campaign account labelled without an id cannot be the dominant campaign: it only adds to the denominator.
          if (label.campaign !== undefined) increment(byTrueCampaign, label.campaign);
        }
      }
      const dominant = dominantKey(byTrueCampaign);
      return {
        campaign_id: campaignId,
        accounts: members.size,
        campaign_members: campaignMembers,
        benign_members: benignMembers,
        benchmark_members: benchmarkMembers,
        unknown_members: unknownMembers,
        dominant_campaign: dominant?.key ?? null,
        purity: share(dominant?.count ?? 0, members.size - unknownMembers),
      };
    });
}
