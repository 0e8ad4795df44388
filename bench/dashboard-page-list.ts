// The dashboard pages the page-time benchmark opens, each with the reads it awaits before it is
// ready and the panel it fills after, as web/src/pages/*.ts make them: what each floor fetches.
import type { ApiCall, OpenRequest } from './dashboard-browser.js';

/** A page of the dashboard, the reads it awaits before it is ready, and what it loads after. */
export interface PageSpec {
  name: string;
  path: string;
  calls: ApiCall[][];
  /** A panel filled after main[data-ready] (it loads itself): how to see it filled, and its reads. */
  after?: { name: string; shown: NonNullable<OpenRequest['after']>; calls: ApiCall[][] };
}

/** The pages to measure, with the reads each makes (web/src/pages/*.ts), for this store. */
export async function dashboardPageList(
  base: string,
  token: string,
  campaignId: string,
  caseId: string,
): Promise<PageSpec[]> {
  const response = await fetch(`${base}/admin/v1/campaigns/${encodeURIComponent(campaignId)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`campaign ${campaignId}: ${response.status}`);
  const campaign = (await response.json()) as {
    accounts: { account_id: string; requests: number }[];
  };
  // the campaign's busiest account: the most exchanges to list
  const account = [...campaign.accounts].sort((a, b) => b.requests - a.requests)[0].account_id;
  const accountPath = `/accounts/${encodeURIComponent(account)}`;
  const json = (path: string): ApiCall => ({ read: 'json', path });
  return [
    { name: 'overview', path: '/', calls: [[{ read: 'overview' }]] },
    {
      name: `campaign (${campaign.accounts.length.toLocaleString('en')} accounts)`,
      path: `/campaigns/${campaignId}`,
      calls: [[json(`/campaigns/${campaignId}`), json(`/campaigns/${campaignId}/graph`)]],
    },
    { name: 'accounts', path: '/accounts', calls: [[{ read: 'account-chunks', limit: 1000 }]] },
    {
      name: 'account (busiest of the campaign)',
      path: `/accounts/${account}`,
      calls: [[json(accountPath)]],
      after: {
        name: 'its exchanges listed',
        shown: { selector: 'p.muted', text: 'exchanges shown|No exchanges of this account' },
        calls: [[json(`${accountPath}/exchanges?limit=50`)]],
      },
    },
    { name: 'audits', path: '/audits', calls: [[json('/audits'), json('/campaigns')]] },
    { name: 'cases', path: '/cases', calls: [[json('/cases')]] },
    {
      name: 'case',
      path: `/cases/${caseId}`,
      calls: [[json(`/cases/${encodeURIComponent(caseId)}`)]],
      after: {
        name: 'its signed checkpoint shown',
        shown: { selector: 'pre[aria-label="Signed checkpoint"]' },
        calls: [[{ read: 'text', path: '/log/checkpoint' }]],
      },
    },
    { name: 'intel', path: '/intel', calls: [[json('/intel')]] },
  ];
}

/** The reads of `steps` in a few words, for the table. */
export function describeReads(steps: ApiCall[][]): string {
  const named = (call: ApiCall) =>
    call.read === 'account-chunks'
      ? `/accounts by ${call.limit}`
      : call.read === 'overview'
        ? '/overview'
        : call.path.replace(/\?.*$/, '').replace(/\/(campaigns|accounts|cases)\/[^/]+/, '/$1/ID');
  return steps.map((step) => step.map(named).join(' + ')).join(', then ');
}
