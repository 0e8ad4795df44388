// Tracer cohort of a campaign or account: a stable index, so one campaign is always served under
// one watermark key and a positive audit names the cohort (the watermark module maps index to key).
// FNV-1a is stable across processes and releases, which a cohort index must be.
import { fnv1a } from '../core/index.js';

/**
 * The cohort index in [0, cohorts) for a campaign, or for a lone account when it has none.
 * Campaign and account ids live in separate namespaces, so `c1` the campaign and `c1` the account
 * need not share a cohort.
 */
export function cohortOf(
  subject: { campaignId: string | null; accountId: string },
  cohorts: number,
): number {
  const key =
    subject.campaignId === null ? `account:${subject.accountId}` : `campaign:${subject.campaignId}`;
  return fnv1a(key) % cohorts;
}
