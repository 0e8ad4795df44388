// What a campaign's members share in their prompts, as detection keeps it: the template keys and
// the MinHash skeleton band keys that at least two flagged members use. These are unkeyed hashes
// (of a prompt's normalised first or last 32 characters; of its masked skeleton's word pairs),
// never prompt text; intel/ turns them into keyed indicators that a
// partner running the same detection can match in its own traffic.
import type { AccountProfile } from './account-profile.js';

/** Template and skeleton keys of one campaign, each with how many members use it. */
export interface CampaignTraits {
  campaign_id: string;
  /** Template keys (hash of the normalised head or tail edge), most shared first. */
  templates: SharedKey[];
  /** MinHash band keys of the templates' skeletons (near-identical variants share them). */
  skeleton_bands: SharedKey[];
}

export interface SharedKey {
  key: number;
  /** Flagged members whose traffic uses it. */
  members: number;
}

/** At most this many of each kind per campaign: enough to recognise the tooling, bounded in size. */
export const traitLimits = { templates: 32, skeletonBands: 64, minimumMembers: 2 };

function shared(
  keysOf: (profile: AccountProfile) => number[],
  profiles: AccountProfile[],
  limit: number,
): SharedKey[] {
  const counts = new Map<number, number>();
  for (const profile of profiles)
    for (const key of new Set(keysOf(profile))) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts]
    .filter(([, members]) => members >= traitLimits.minimumMembers)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, limit)
    .map(([key, members]) => ({ key, members }));
}

/** The traits of a campaign whose flagged members have these profiles. */
export function campaignTraits(campaignId: string, members: AccountProfile[]): CampaignTraits {
  return {
    campaign_id: campaignId,
    templates: shared((profile) => profile.templateKeys(), members, traitLimits.templates),
    skeleton_bands: shared((profile) => profile.skeletonKeys(), members, traitLimits.skeletonBands),
  };
}
