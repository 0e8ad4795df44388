// What the dashboard draws of a campaign that is costly to read from a week of traffic: its
// accounts linked by the cards, email domains and networks two or more of them share (laid out by
// ForceAtlas2 from a deterministic start, so the same analysis gives the same picture), and the
// models it used with when each first appeared anywhere (the release to mark). Built once per
// analysis (analyze does it as it saves the findings; the dashboard when one is missing) and kept
// in the store, so a campaign of 1,000 accounts opens at once.
import { UndirectedGraph } from 'graphology';
import type { ReportedCampaign } from '../core/index.js';
import type { CampaignFindingRow, Store } from '../store/index.js';
import { forceAtlas2 } from './package/force-layout.js';

export type SharedKind = 'card' | 'email domain' | 'network';

export interface CampaignView {
  campaignId: string;
  analysedAt: string;
  graph: {
    /** Accounts first (value: the account id), then the shared values (raw: pseudonymise to show). */
    nodes: { kind: 'account' | SharedKind; value: string; members: number; x: number; y: number }[];
    /** Pairs of node indexes. */
    edges: [number, number][];
    /** Shared values left out of the picture (a proxy pool has hundreds of networks). */
    omitted: number;
  };
  models: { model: string; firstMs: number; requests: number }[];
}

/** At most this many of each kind of shared value in the graph, the most shared first. */
export const graphedPerKind = 40;

/** The network an address belongs to: its /24, or /48 for IPv6. */
export function networkOf(address: string): string {
  if (address.includes(':')) return `${address.split(':').slice(0, 3).join(':')}::/48`;
  return `${address.split('.').slice(0, 3).join('.')}.0/24`;
}

export function buildCampaignView(
  store: Store,
  campaign: ReportedCampaign,
  analysedAt: string,
): CampaignView {
  const members = new Set(campaign.accounts);
  const pairs: { kind: SharedKind; accountId: string; value: string }[] = [];
  for (const row of store.readAccounts()) {
    if (!members.has(row.accountId)) continue;
    if (row.paymentFingerprint)
      pairs.push({ kind: 'card', accountId: row.accountId, value: row.paymentFingerprint });
    if (row.emailDomain)
      pairs.push({
        kind: 'email domain',
        accountId: row.accountId,
        value: row.emailDomain.toLowerCase(),
      });
  }
  for (const use of store.designation.addressesByAccount(campaign.accounts))
    pairs.push({ kind: 'network', accountId: use.accountId, value: networkOf(use.address) });
  const byValue = new Map<string, { kind: SharedKind; value: string; members: Set<string> }>();
  for (const pair of pairs) {
    const key = `${pair.kind}\u0000${pair.value}`;
    const entry = byValue.get(key) ?? { kind: pair.kind, value: pair.value, members: new Set() };
    entry.members.add(pair.accountId);
    byValue.set(key, entry);
  }
  const shared = [...byValue.values()]
    .filter((entry) => entry.members.size >= 2)
    .sort((a, b) => b.members.size - a.members.size || a.value.localeCompare(b.value));
  const perKind = new Map<string, number>();
  const kept = shared.filter((entry) => {
    const seen = perKind.get(entry.kind) ?? 0;
    perKind.set(entry.kind, seen + 1);
    return seen < graphedPerKind;
  });

  const nodes = [
    ...campaign.accounts.map((id) => ({ kind: 'account' as const, value: id, members: 1 })),
    ...kept.map((entry) => ({ kind: entry.kind, value: entry.value, members: entry.members.size })),
  ];
  const indexOfAccount = new Map(campaign.accounts.map((id, index) => [id, index]));
  const graph = new UndirectedGraph();
  nodes.forEach((_node, index) => {
    const angle = (2 * Math.PI * index) / nodes.length;
    graph.addNode(String(index), { x: Math.cos(angle) * 100, y: Math.sin(angle) * 100 });
  });
  const edges: [number, number][] = [];
  kept.forEach((entry, offset) => {
    const index = campaign.accounts.length + offset;
    for (const member of entry.members) {
      const account = indexOfAccount.get(member) as number;
      graph.mergeEdge(String(index), String(account));
      edges.push([index, account]);
    }
  });
  const positions =
    nodes.length > 0
      ? forceAtlas2(graph, {
          iterations: nodes.length > 500 ? 150 : 300,
          settings: { gravity: 1, scalingRatio: 8, barnesHutOptimize: nodes.length > 500 },
        })
      : {};
  const round = (value: number | undefined) => Math.round((value ?? 0) * 10) / 10;
  return {
    campaignId: campaign.campaign_id,
    analysedAt,
    graph: {
      nodes: nodes.map((node, index) => ({
        ...node,
        x: round(positions[String(index)]?.x),
        y: round(positions[String(index)]?.y),
      })),
      edges,
      omitted: shared.length - kept.length,
    },
    models: store.designation.modelsFirstSeen(campaign.accounts),
  };
}

/** Builds and keeps the views of these findings (analyze, after saving them). */
export function saveCampaignViews(store: Store, findings: CampaignFindingRow[]): void {
  for (const row of findings) {
    const view = buildCampaignView(
      store,
      JSON.parse(row.campaign) as ReportedCampaign,
      row.analysedAt,
    );
    store.dashboard.saveCampaignView(row.campaignId, row.analysedAt, JSON.stringify(view));
  }
}

/** The kept view of a finding, built (and kept) when missing or older than the finding. */
export function campaignViewOf(store: Store, finding: CampaignFindingRow): CampaignView {
  const kept = store.dashboard.readCampaignView(finding.campaignId);
  if (kept && kept.analysedAt === finding.analysedAt) return JSON.parse(kept.view) as CampaignView;
  saveCampaignViews(store, [finding]);
  return buildCampaignView(
    store,
    JSON.parse(finding.campaign) as ReportedCampaign,
    finding.analysedAt,
  );
}
