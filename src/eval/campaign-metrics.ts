// Per true campaign: how many of its accounts were caught, and whether the report grouped the caught
// ones together (one report campaign_id) or scattered them.
import type { Labels } from '../core/index.js';
import type { CampaignOutcome, VerdictCounts } from './evaluation-result.js';
import { groupOf, type ReportIndex } from './report-index.js';
import {
  compareKeys,
  countVerdict,
  dominantKey,
  emptyVerdictCounts,
  increment,
  share,
} from './tally.js';

interface CampaignTally {
  counts: VerdictCounts;
  /** Report campaign_id → flagged accounts under it. */
  flaggedByGroup: Map<string, number>;
  ungrouped: number;
  /** Report campaign_ids over all listed accounts, whatever the verdict. */
  groupsTouched: Set<string>;
}

export function measureCampaigns(labels: Labels, index: ReportIndex): CampaignOutcome[] {
  const tallies = new Map<string | null, CampaignTally>();

  for (const [accountId, label] of Object.entries(labels.accounts)) {
    if (label.class !== 'campaign') continue;
    const campaignId = label.campaign ?? null;
    let tally = tallies.get(campaignId);
    if (!tally) {
      tally = {
        counts: emptyVerdictCounts(),
        flaggedByGroup: new Map(),
        ungrouped: 0,
        groupsTouched: new Set(),
      };
      tallies.set(campaignId, tally);
    }
    const reported = index.accountsById.get(accountId);
    const group = groupOf(reported);
    countVerdict(tally.counts, reported?.verdict);
    if (group !== null) tally.groupsTouched.add(group);
    if (reported?.verdict !== 'extraction') continue;
    if (group === null) tally.ungrouped += 1;
    else increment(tally.flaggedByGroup, group);
  }

  return [...tallies]
    .sort(([left], [right]) => compareKeys(left, right))
    .map(([campaignId, tally]) => {
      const dominant = dominantKey(tally.flaggedByGroup);
      const flagged = tally.counts.extraction;
      return {
        campaign_id: campaignId,
        ...tally.counts,
        recall: share(flagged, tally.counts.accounts),
        ungrouped: tally.ungrouped,
        dominant_report_campaign: dominant?.key ?? null,
        grouping_share: share(dominant?.count ?? 0, flagged),
        spread_over_report_campaigns: tally.groupsTouched.size,
      };
    });
}
