// Campaigns: communities of the account graph (Louvain, seeded so that runs repeat), scored as a
// whole so that many small accounts add up, with ids that stay stable across runs.
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import { fnv1aStep, fnvOffsetBasis } from '../core/index.js';
import type { AccountGraph, LinkKind } from './account-graph.js';
import type { AccountAssessment } from './score-account.js';

type Louvain = (
  graph: UndirectedGraph,
  options: { getEdgeWeight: string; rng: () => number; resolution: number },
) => Record<string, number>;
const louvain = ((louvainModule as unknown as { default?: Louvain }).default ??
  louvainModule) as unknown as Louvain;

export interface CampaignGroup {
  id: string;
  members: AccountAssessment[];
  /** How the members are linked: link kind -> number of links. */
  linkKinds: Map<LinkKind, number>;
}

/**
 * Deterministic generator for Louvain's random walk (mulberry32). Not sim's sfc32: campaign
 * membership and ids follow this exact stream, so another generator would change reports.
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Groups of two or more linked candidates. */
export function findCampaignGroups(
  graph: AccountGraph,
  candidates: Map<string, AccountAssessment>,
): CampaignGroup[] {
  const undirected = new UndirectedGraph();
  for (const node of graph.nodes) undirected.addNode(node);
  for (const [key, link] of graph.links) {
    const [a, b] = key.split('|');
    undirected.addEdge(a, b, { weight: link.weight });
  }
  if (undirected.size === 0) return [];
  const communities = louvain(undirected, {
    getEdgeWeight: 'weight',
    rng: seededRandom(0x5eed),
    resolution: 1,
  });
  const byCommunity = new Map<number, string[]>();
  for (const [node, community] of Object.entries(communities)) {
    if (undirected.degree(node) === 0) continue;
    const members = byCommunity.get(community);
    if (members) members.push(node);
    else byCommunity.set(community, [node]);
  }
  const groups: CampaignGroup[] = [];
  for (const members of mergeSameOperator(byCommunity, graph, candidates)) {
    if (members.length < 2) continue;
    const memberSet = new Set(members);
    const linkKinds = new Map<LinkKind, number>();
    for (const [key, link] of graph.links) {
      const [a, b] = key.split('|');
      if (!memberSet.has(a) || !memberSet.has(b)) continue;
      for (const [kind, count] of link.kinds)
        linkKinds.set(kind, (linkKinds.get(kind) ?? 0) + count);
    }
    const assessments = members.map((member) => candidates.get(member) as AccountAssessment);
    groups.push({ id: campaignId(assessments), members: assessments, linkKinds });
  }
  return groups;
}

/** Share of a community's members that must hold a template for it to count as the community's. */
const communityTemplateShare = 0.3;

/**
 * Louvain splits one operator's accounts when they use different subsets of his templates. Two
 * communities are one campaign when they run a common template AND are linked by infrastructure
 * (a card, an address, an organisation or a sign-up burst): the same tooling on the same resources.
 */
function mergeSameOperator(
  byCommunity: Map<number, string[]>,
  graph: AccountGraph,
  candidates: Map<string, AccountAssessment>,
): string[][] {
  const communities = [...byCommunity.values()];
  const communityOf = new Map<string, number>();
  communities.forEach((members, index) =>
    members.forEach((member) => communityOf.set(member, index)),
  );
  const templatesOf = communities.map((members) => {
    const counts = new Map<number, number>();
    for (const member of members)
      for (const key of (candidates.get(member) as AccountAssessment).profile.templateKeys())
        counts.set(key, (counts.get(key) ?? 0) + 1);
    return new Set(
      [...counts]
        .filter(([, count]) => count >= communityTemplateShare * members.length)
        .map(([key]) => key),
    );
  });
  const parent = communities.map((_, index) => index);
  const find = (index: number): number =>
    parent[index] === index ? index : (parent[index] = find(parent[index]));
  const infrastructure: LinkKind[] = ['payment', 'address', 'organization', 'signup_burst'];
  for (const [key, link] of graph.links) {
    const [a, b] = key.split('|');
    const left = communityOf.get(a);
    const right = communityOf.get(b);
    if (left === undefined || right === undefined || find(left) === find(right)) continue;
    if (!infrastructure.some((kind) => link.kinds.has(kind))) continue;
    const shared = [...templatesOf[left]].some((template) => templatesOf[right].has(template));
    if (shared) parent[find(left)] = find(right);
  }
  const merged = new Map<number, string[]>();
  communities.forEach((members, index) => {
    const root = find(index);
    merged.set(root, [...(merged.get(root) ?? []), ...members]);
  });
  return [...merged.values()];
}

/**
 * A campaign id that survives re-runs: derived from the template most of its members share (an
 * operator's tooling outlives his accounts), else from its earliest-created account.
 */
function campaignId(members: AccountAssessment[]): string {
  const keyCounts = new Map<number, number>();
  for (const member of members)
    for (const key of member.profile.templateKeys())
      keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
  let bestKey: number | null = null;
  let bestCount = 0;
  for (const [key, count] of keyCounts) {
    if (count > bestCount || (count === bestCount && bestKey !== null && key < bestKey)) {
      bestKey = key;
      bestCount = count;
    }
  }
  if (bestKey !== null && bestCount * 2 >= members.length) return `cmp_${bestKey.toString(36)}`;
  const anchor = [...members].sort(
    (a, b) =>
      (a.facts.createdAtMs ?? a.profile.firstTs) - (b.facts.createdAtMs ?? b.profile.firstTs) ||
      a.accountId.localeCompare(b.accountId),
  )[0];
  // FNV-1a over the first UTF-16 unit of each code point, as campaign ids have always been made
  let hash = fnvOffsetBasis;
  for (const char of anchor.accountId) hash = fnv1aStep(hash, char.charCodeAt(0));
  return `cmp_a${(hash >>> 0).toString(36)}`;
}
