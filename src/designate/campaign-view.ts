// What the dashboard draws of a campaign that is costly to read from a week of traffic: its
// accounts linked as the detector linked them (shared templates, cards, addresses, sign-up bursts,
// synchronised activity: a few links of each member, its strongest and some drawn evenly), laid out by ForceAtlas2 from a
// deterministic start so the same analysis gives the same picture, and the models it used with
// when each first appeared anywhere (the release to mark). Built once per analysis (analyze does it
// as it saves the findings) and kept in the store, so a campaign of 1,000 accounts opens at once.
// A campaign stored without its links (an older analysis) is drawn from the cards, email domains
// and networks its members share instead.
import { UndirectedGraph } from 'graphology';
import type { ReportedCampaign } from '../core/index.js';
import type { CampaignFindingRow, Store } from '../store/index.js';
import { forceAtlas2 } from './package/force-layout.js';

export type SharedKind = 'card' | 'email domain' | 'network';

/** A link between two members as detection found it (detect's MemberLink). */
export interface CampaignLink {
  a: string;
  b: string;
  weight: number;
  kinds: Record<string, number | undefined>;
  /** The kind that gives the link most of its weight. */
  strongest: string;
}

export interface CampaignView {
  campaignId: string;
  analysedAt: string;
  graph: {
    /** Accounts first (value: the account id), then the shared values (raw: pseudonymise to show). */
    nodes: { kind: 'account' | SharedKind; value: string; members: number; x: number; y: number }[];
    /** Pairs of node indexes, with the link's strongest kind for detector links. */
    edges: [number, number, string?][];
    /** 'detector': accounts linked as detection linked them; 'infrastructure': accounts and the values they share. */
    source: 'detector' | 'infrastructure';
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

type ViewGraph = CampaignView['graph'];
type UnplacedNode = Omit<ViewGraph['nodes'][number], 'x' | 'y'>;

/** Lays out nodes and edges with ForceAtlas2 from a circle (deterministic). */
function laidOut(
  nodes: UnplacedNode[],
  edges: ViewGraph['edges'],
  source: ViewGraph['source'],
  omitted: number,
): ViewGraph {
  const graph = new UndirectedGraph();
  nodes.forEach((_node, index) => {
    const angle = (2 * Math.PI * index) / nodes.length;
    graph.addNode(String(index), { x: Math.cos(angle) * 100, y: Math.sin(angle) * 100 });
  });
  for (const [from, to] of edges) graph.mergeEdge(String(from), String(to));
  const positions =
    nodes.length > 0
      ? forceAtlas2(graph, {
          iterations: nodes.length > 500 ? 150 : 300,
          settings: { gravity: 1, scalingRatio: 8, barnesHutOptimize: nodes.length > 500 },
        })
      : {};
  const round = (value: number | undefined) => Math.round((value ?? 0) * 10) / 10;
  return {
    nodes: nodes.map((node, index) => ({
      ...node,
      x: round(positions[String(index)]?.x),
      y: round(positions[String(index)]?.y),
    })),
    edges,
    source,
    omitted,
  };
}

/** The members linked as detection linked them. */
function detectorGraph(campaign: ReportedCampaign, links: readonly CampaignLink[]): ViewGraph {
  const indexOf = new Map(campaign.accounts.map((id, index) => [id, index]));
  const edges: ViewGraph['edges'] = [];
  for (const link of links) {
    const from = indexOf.get(link.a);
    const to = indexOf.get(link.b);
    if (from !== undefined && to !== undefined) edges.push([from, to, link.strongest]);
  }
  return laidOut(
    campaign.accounts.map((id) => ({ kind: 'account' as const, value: id, members: 1 })),
    edges,
    'detector',
    0,
  );
}

/** The members linked to the cards, email domains and networks two or more of them share. */
async function infrastructureGraph(store: Store, campaign: ReportedCampaign): Promise<ViewGraph> {
  const members = new Set(campaign.accounts);
  const pairs: { kind: SharedKind; accountId: string; value: string }[] = [];
  for (const row of await store.dashboard.accountsOf(campaign.accounts)) {
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
  for (const use of await store.designation.addressesByAccount(campaign.accounts))
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
  const indexOfAccount = new Map(campaign.accounts.map((id, index) => [id, index]));
  const edges: ViewGraph['edges'] = [];
  kept.forEach((entry, offset) => {
    const index = campaign.accounts.length + offset;
    for (const member of entry.members) edges.push([index, indexOfAccount.get(member) as number]);
  });
  return laidOut(
    [
      ...campaign.accounts.map((id) => ({ kind: 'account' as const, value: id, members: 1 })),
      ...kept.map((entry) => ({
        kind: entry.kind,
        value: entry.value,
        members: entry.members.size,
      })),
    ],
    edges,
    'infrastructure',
    shared.length - kept.length,
  );
}

export async function buildCampaignView(
  store: Store,
  campaign: ReportedCampaign,
  analysedAt: string,
  links?: readonly CampaignLink[],
): Promise<CampaignView> {
  return {
    campaignId: campaign.campaign_id,
    analysedAt,
    graph: links ? detectorGraph(campaign, links) : await infrastructureGraph(store, campaign),
    models: await store.designation.modelsFirstSeen(campaign.accounts),
  };
}

/** Builds and keeps the views of these findings (analyze, after saving them, with detection's links). */
export async function saveCampaignViews(
  store: Store,
  findings: CampaignFindingRow[],
  links?: ReadonlyMap<string, readonly CampaignLink[]>,
): Promise<void> {
  for (const row of findings) {
    const view = await buildCampaignView(
      store,
      JSON.parse(row.campaign) as ReportedCampaign,
      row.analysedAt,
      links?.get(row.campaignId),
    );
    await store.dashboard.saveCampaignView(row.campaignId, row.analysedAt, JSON.stringify(view));
  }
}

/** The kept view of a finding, built (and kept) when missing or older than the finding. */
export async function campaignViewOf(
  store: Store,
  finding: CampaignFindingRow,
): Promise<CampaignView> {
  const kept = await store.dashboard.readCampaignView(finding.campaignId);
  if (kept && kept.analysedAt === finding.analysedAt) return JSON.parse(kept.view) as CampaignView;
  const view = await buildCampaignView(
    store,
    JSON.parse(finding.campaign) as ReportedCampaign,
    finding.analysedAt,
  );
  await store.dashboard.saveCampaignView(
    finding.campaignId,
    finding.analysedAt,
    JSON.stringify(view),
  );
  return view;
}
