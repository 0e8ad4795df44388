// Tier 3: the graph of candidate accounts, linked by what an operator shares across his accounts:
// prompt templates (exact edge keys, and MinHash skeleton bands for near-identical variants), payment instruments, client addresses, organisations, sign-up bursts and
// synchronised activity. Links are weighted by rarity: an address or card shared by very many
// accounts (a NAT, a cloud range, a reseller's pool) links little or nothing.
import type { AccountAssessment } from './score-account.js';
import type { ObservedTraffic } from './pipeline.js';
import { jaccard } from './sketches/bottom-k.js';
import { hourMs } from './time-units.js';

export type LinkKind =
  'template' | 'skeleton' | 'payment' | 'address' | 'organization' | 'signup_burst' | 'synchrony';

export interface Link {
  weight: number;
  kinds: Map<LinkKind, number>;
}

export interface AccountGraph {
  nodes: string[];
  /** Undirected links keyed "a|b" with a < b. */
  links: Map<string, Link>;
}

export const graphDefaults = {
  /** Accounts sharing one key are linked as a sparse ring plus chords beyond this many (keeps the graph linear in size). */
  fullyLinkedUpTo: 12,
  /** Hour buckets holding at least this many new accounts are sign-up bursts. */
  burstMinimum: 10,
  weights: {
    template: 1,
    skeleton: 0.3,
    payment: 1.5,
    address: 0.3,
    organization: 0.5,
    signup_burst: 0.5,
    synchrony: 2,
  } satisfies Record<LinkKind, number>,
};

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function link(graph: AccountGraph, a: string, b: string, kind: LinkKind, weight: number): void {
  if (a === b) return;
  const key = pairKey(a, b);
  let existing = graph.links.get(key);
  if (!existing) {
    existing = { weight: 0, kinds: new Map() };
    graph.links.set(key, existing);
  }
  existing.weight += weight;
  existing.kinds.set(kind, (existing.kinds.get(kind) ?? 0) + 1);
}

/** Links every pair of a small group, or a ring with chords for a large one. */
function linkGroup(graph: AccountGraph, members: string[], kind: LinkKind, weight: number): void {
  if (members.length < 2) return;
  const sorted = [...members].sort();
  if (sorted.length <= graphDefaults.fullyLinkedUpTo) {
    for (let i = 0; i < sorted.length; i += 1)
      for (let j = i + 1; j < sorted.length; j += 1)
        link(graph, sorted[i], sorted[j], kind, weight);
    return;
  }
  for (let i = 0; i < sorted.length; i += 1) {
    for (const step of [1, 2, 5])
      link(graph, sorted[i], sorted[(i + step) % sorted.length], kind, weight);
  }
}

function groupBy(
  assessments: AccountAssessment[],
  keyOf: (assessment: AccountAssessment) => (string | number)[],
): Map<string | number, string[]> {
  const groups = new Map<string | number, string[]>();
  for (const assessment of assessments) {
    for (const key of keyOf(assessment)) {
      const members = groups.get(key);
      if (members) members.push(assessment.accountId);
      else groups.set(key, [assessment.accountId]);
    }
  }
  return groups;
}

/** Builds the graph over `candidates`; `everyone` gives the base rates (burst sizes, card sharing). */
export function buildAccountGraph(
  candidates: AccountAssessment[],
  everyone: AccountAssessment[],
  traffic: ObservedTraffic,
): AccountGraph {
  const graph: AccountGraph = {
    nodes: candidates.map((candidate) => candidate.accountId),
    links: new Map(),
  };
  const candidateIds = new Set(graph.nodes);
  const { weights } = graphDefaults;

  for (const [, members] of groupBy(candidates, (assessment) =>
    assessment.profile.templateKeys(),
  )) {
    linkGroup(graph, members, 'template', weights.template);
  }
  for (const [, members] of groupBy(candidates, (assessment) =>
    assessment.profile.skeletonKeys(),
  )) {
    linkGroup(graph, members, 'skeleton', weights.skeleton);
  }
  const cardUsers = groupBy(everyone, (assessment) =>
    assessment.facts.paymentFingerprint ? [assessment.facts.paymentFingerprint] : [],
  );
  for (const [, users] of cardUsers) {
    const members = users.filter((id) => candidateIds.has(id));
    linkGroup(graph, members, 'payment', weights.payment / Math.log2(2 + users.length / 4));
  }
  for (const [, members] of groupBy(candidates, (assessment) =>
    assessment.facts.orgId ? [assessment.facts.orgId] : [],
  )) {
    linkGroup(graph, members, 'organization', weights.organization);
  }
  const burstBuckets = groupBy(everyone, (assessment) =>
    assessment.facts.createdAtMs !== null
      ? [Math.floor(assessment.facts.createdAtMs / hourMs)]
      : [],
  );
  for (const [, users] of burstBuckets) {
    if (users.length < graphDefaults.burstMinimum) continue;
    linkGroup(
      graph,
      users.filter((id) => candidateIds.has(id)),
      'signup_burst',
      weights.signup_burst,
    );
  }
  for (const accounts of traffic.addressAccounts.values()) {
    if (!accounts || accounts.size < 2) continue;
    const members = [...accounts].filter((id) => candidateIds.has(id));
    if (members.length < 2) continue;
    const weight = weights.address / Math.log2(1 + accounts.size);
    members.sort();
    if (members.length === 2) link(graph, members[0], members[1], 'address', weight);
    else
      for (let i = 0; i < members.length; i += 1)
        link(graph, members[i], members[(i + 1) % members.length], 'address', weight);
  }
  const profiles = new Map(candidates.map((candidate) => [candidate.accountId, candidate.profile]));
  for (const [key, existing] of graph.links) {
    const [a, b] = key.split('|');
    const similarity = jaccard(
      (profiles.get(a) as AccountAssessment['profile']).synchrony,
      (profiles.get(b) as AccountAssessment['profile']).synchrony,
    );
    if (similarity >= 0.05) {
      existing.weight += weights.synchrony * similarity;
      existing.kinds.set('synchrony', (existing.kinds.get('synchrony') ?? 0) + 1);
    }
  }
  return graph;
}
