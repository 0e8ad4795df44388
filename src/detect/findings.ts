// Turns observed traffic into the report's findings: account assessments, the campaign graph,
// campaign scores (many small accounts add up), verdicts, and the reasons for each.
import {
  formatTimestamp,
  type ReportedAccount,
  type ReportedCampaign,
  type Reason,
} from '../core/index.js';
import { unknownAccount, type AccountFacts } from './account-facts.js';
import {
  buildAccountGraph,
  graphDefaults,
  type AccountGraph,
  type LinkKind,
} from './account-graph.js';
import { campaignTraits, type CampaignTraits } from './campaign-traits.js';
import {
  addPartnerEvidence,
  PartnerMatcher,
  type PartnerIndicatorSet,
  type PartnerMatch,
} from './partner-indicators.js';
import { densestCore, type DenseCore } from './dense-core.js';
import { findCampaignGroups, type CampaignGroup } from './campaigns.js';
import type { ObservedTraffic } from './pipeline.js';
import { assessAccount, type AccountAssessment, type Evidence } from './score-account.js';
import { capabilities } from './signals/capability.js';
import { riskOf, thresholds } from './thresholds.js';

export interface Findings {
  accounts: ReportedAccount[];
  campaigns: ReportedCampaign[];
  /** Each reported campaign's shared template and skeleton keys (for keyed indicators). */
  traits: CampaignTraits[];
  /** Accounts that matched a partner's indicator (empty without partner indicators). */
  partnerMatches: PartnerMatch[];
  /** How each reported campaign's members are linked: the graph the campaign was found in. */
  links: CampaignLinks[];
  /** Every observed account's final log-odds (listed or not), for calibration and audit. */
  scores: AccountScore[];
}

/** A link between two members of a campaign: what they share, counted per kind. */
export interface MemberLink {
  a: string;
  b: string;
  weight: number;
  kinds: Partial<Record<LinkKind, number>>;
  /** The kind that gives the link most of its weight. */
  strongest: LinkKind;
}

export interface CampaignLinks {
  campaign_id: string;
  /** Each member's strongest links and as many more drawn evenly (`linksPerMember` each), so a large campaign stays drawable. */
  links: MemberLink[];
}

/** The links kept per member for the picture of a campaign: half its strongest, half drawn evenly. */
export const linksPerMember = 4;

export interface AccountScore {
  account_id: string;
  /** Final log-odds of harvesting (own evidence plus any campaign bonus). */
  score: number;
  /** Own evidence only. */
  own_score: number;
  requests: number;
  benchmark: boolean;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
const percent = (share: number) => `${Math.round(share * 100)}%`;
const linkWords: Record<LinkKind, string> = {
  template: 'shared prompt templates',
  skeleton: 'near-identical template skeletons (MinHash)',
  payment: 'shared payment instruments',
  address: 'shared client addresses',
  organization: 'shared organisation ids',
  signup_burst: 'sign-up bursts',
  synchrony: 'synchronised activity (same template in the same 10-minute windows)',
};

function toReason(evidence: Evidence): Reason {
  return { signal: evidence.signal, detail: evidence.detail, weight: evidence.weight };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Merges groups that got the same id (one operator's tooling split by Louvain). */
function mergeById(groups: CampaignGroup[]): CampaignGroup[] {
  const merged = new Map<string, CampaignGroup>();
  for (const group of groups) {
    const existing = merged.get(group.id);
    if (!existing) merged.set(group.id, group);
    else {
      existing.members.push(...group.members);
      for (const [kind, count] of group.linkKinds)
        existing.linkKinds.set(kind, (existing.linkKinds.get(kind) ?? 0) + count);
    }
  }
  return [...merged.values()];
}

interface ScoredCampaign {
  group: CampaignGroup;
  core: DenseCore;
  score: number;
  bonus: number;
}

/**
 * A campaign's score: the median own score of its densest core (so accounts linked in as
 * camouflage do not dilute it) plus 0.6 x log2 of its size (so many small accounts add up).
 */
function scoreCampaign(group: CampaignGroup, graph: AccountGraph): ScoredCampaign {
  const size = group.members.length;
  const core = densestCore(
    group.members.map((member) => member.accountId),
    graph,
  );
  const coreMembers = new Set(core.members);
  const coreScores = group.members
    .filter((member) => coreMembers.has(member.accountId))
    .map((member) => Math.min(10, member.score));
  const score = median(coreScores) + 0.6 * Math.log2(size);
  return { group, core, score, bonus: score >= 0 ? Math.min(3, 0.6 * Math.log2(size)) : 0 };
}

function campaignReasons(campaign: ScoredCampaign, flagged: AccountAssessment[]): Reason[] {
  const members = campaign.group.members;
  const requests = members.reduce((sum, member) => sum + member.profile.requests, 0);
  const harvest = members.reduce((sum, member) => sum + member.profile.harvestShaped, 0);
  const reasons: Reason[] = [];
  const links = [...campaign.group.linkKinds]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${linkWords[kind]} (${count} ${count === 1 ? 'link' : 'links'})`);
  reasons.push({
    signal: 'linked_accounts',
    detail: `${members.length} accounts linked by ${links.join(', ')}`,
    weight: round(0.6 * Math.log2(members.length), 2),
  });
  reasons.push({
    signal: 'dense_core',
    detail: `densest core (greedy peeling): ${campaign.core.members.length} of ${members.length} accounts, link weight ${campaign.core.density.toFixed(1)} per account; the campaign is scored on this core`,
  });
  reasons.push({
    signal: 'campaign_harvesting',
    detail: `${percent(requests ? harvest / requests : 0)} of the members' ${requests.toLocaleString('en-US')} requests fill recurring templates with new content and ask for reasoning, grades or traces; ${flagged.length} of ${members.length} members are flagged on their own behaviour`,
  });
  const cards = new Map<string, number>();
  for (const member of members)
    if (member.facts.paymentFingerprint)
      cards.set(
        member.facts.paymentFingerprint,
        (cards.get(member.facts.paymentFingerprint) ?? 0) + 1,
      );
  const sharedCards = [...cards.values()].filter((count) => count > 1);
  if (sharedCards.length > 0)
    reasons.push({
      signal: 'shared_payment',
      detail: `${sharedCards.reduce((a, b) => a + b, 0)} members pay with ${sharedCards.length} shared payment ${sharedCards.length === 1 ? 'instrument' : 'instruments'}`,
    });
  const rotating = members.filter((member) =>
    member.evidence.some((item) => item.signal === 'network_rotation'),
  ).length;
  if (rotating > 0)
    reasons.push({
      signal: 'proxy_rotation',
      detail: `${rotating} members send through rotating proxy exits`,
    });
  const flat = members.filter((member) =>
    member.evidence.some((item) => item.signal === 'flat_load'),
  ).length;
  if (flat > 0)
    reasons.push({
      signal: 'flat_load',
      detail: `${flat} members run around the clock without a daily rhythm`,
    });
  return reasons;
}

/** Findings for everything the pipeline observed; `facts` holds account records where known. */
export function buildFindings(
  traffic: ObservedTraffic,
  facts: Map<string, AccountFacts>,
  partners: PartnerIndicatorSet | null = null,
): Findings {
  const assessments = [...traffic.profiles.values()].map((profile) =>
    assessAccount(profile, facts.get(profile.accountId) ?? unknownAccount, traffic),
  );
  const partnerMatches: PartnerMatch[] = [];
  const matcher = partners ? new PartnerMatcher(partners) : null;
  if (matcher && !matcher.empty)
    for (const assessment of assessments) {
      // a recognised evaluation run stays protected whatever a partner says
      if (assessment.benchmark) continue;
      const matched = matcher.matches(assessment);
      addPartnerEvidence(assessment, matched);
      for (const indicator of matched)
        partnerMatches.push({
          account_id: assessment.accountId,
          indicator_id: indicator.indicatorId,
          partner: indicator.partner,
          kind: indicator.kind,
          first_ms: assessment.profile.firstTs,
          last_ms: assessment.profile.lastTs,
          requests: assessment.profile.requests,
        });
    }
  const candidates = assessments.filter(
    (assessment) => !assessment.benchmark && assessment.score >= thresholds.candidate,
  );
  const graph = buildAccountGraph(candidates, assessments, traffic);
  const campaigns = mergeById(
    findCampaignGroups(
      graph,
      new Map(candidates.map((candidate) => [candidate.accountId, candidate])),
    ),
  ).map((group) => scoreCampaign(group, graph));

  const finalScore = new Map<string, number>();
  const campaignOf = new Map<string, ScoredCampaign>();
  for (const assessment of assessments) finalScore.set(assessment.accountId, assessment.score);
  for (const campaign of campaigns) {
    for (const member of campaign.group.members) {
      campaignOf.set(member.accountId, campaign);
      if (member.score >= thresholds.memberScore && campaign.bonus > 0)
        finalScore.set(member.accountId, member.score + campaign.bonus);
    }
  }

  const accounts: ReportedAccount[] = [];
  const flaggedByCampaign = new Map<ScoredCampaign, AccountAssessment[]>();
  for (const assessment of assessments) {
    const score = finalScore.get(assessment.accountId) as number;
    if (assessment.benchmark) {
      accounts.push({
        account_id: assessment.accountId,
        verdict: 'benchmark',
        risk: round(riskOf(Math.min(assessment.score, thresholds.review - 1))),
        campaign_id: null,
        reasons: [toReason(assessment.benchmark)],
      });
      continue;
    }
    if (score < thresholds.review) continue;
    const verdict = score >= thresholds.extraction ? 'extraction' : 'review';
    const campaign = campaignOf.get(assessment.accountId);
    const reasons = [...assessment.evidence].sort((a, b) => b.weight - a.weight).map(toReason);
    if (campaign && score > assessment.score) {
      reasons.push({
        signal: 'campaign_member',
        detail: `member of campaign ${campaign.group.id} (${campaign.group.members.length} linked accounts), which adds ${round(campaign.bonus, 2)} to its log-odds`,
        weight: round(campaign.bonus, 2),
      });
    }
    accounts.push({
      account_id: assessment.accountId,
      verdict,
      risk: round(riskOf(score)),
      campaign_id: campaign?.group.id ?? null,
      reasons,
    });
    if (campaign)
      flaggedByCampaign.set(campaign, [...(flaggedByCampaign.get(campaign) ?? []), assessment]);
  }

  const reportedCampaigns: ReportedCampaign[] = [];
  const traits: CampaignTraits[] = [];
  for (const [campaign, flagged] of flaggedByCampaign) {
    if (flagged.length < 2) {
      for (const account of accounts)
        if (account.campaign_id === campaign.group.id) account.campaign_id = null;
      continue;
    }
    const capabilityTotals = new Array<number>(capabilities.length).fill(0);
    let requests = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const member of flagged) {
      member.profile.capabilityCounts.forEach((count, index) => (capabilityTotals[index] += count));
      requests += member.profile.requests;
      first = Math.min(first, member.profile.firstTs);
      last = Math.max(last, member.profile.lastTs);
    }
    const shares = Object.fromEntries(
      capabilities
        .map((capability, index) => [
          capability,
          round(requests ? capabilityTotals[index] / requests : 0, 3),
        ])
        .filter(([, share]) => (share as number) > 0),
    );
    reportedCampaigns.push({
      campaign_id: campaign.group.id,
      accounts: flagged.map((member) => member.accountId).sort(),
      interactions: requests,
      risk: round(riskOf(campaign.score)),
      first_seen: formatTimestamp(first),
      last_seen: formatTimestamp(last),
      capabilities: shares,
      reasons: campaignReasons(campaign, flagged),
    });
    traits.push(
      campaignTraits(
        campaign.group.id,
        flagged.map((member) => member.profile),
      ),
    );
  }
  const scores: AccountScore[] = assessments.map((assessment) => ({
    account_id: assessment.accountId,
    score: round(finalScore.get(assessment.accountId) as number, 3),
    own_score: round(assessment.score, 3),
    requests: assessment.profile.requests,
    benchmark: assessment.benchmark !== null,
  }));
  accounts.sort((a, b) => b.risk - a.risk || a.account_id.localeCompare(b.account_id));
  reportedCampaigns.sort(
    (a, b) => b.accounts.length - a.accounts.length || a.campaign_id.localeCompare(b.campaign_id),
  );
  traits.sort((a, b) => a.campaign_id.localeCompare(b.campaign_id));
  return {
    accounts,
    campaigns: reportedCampaigns,
    traits,
    partnerMatches,
    scores,
    links: campaignLinks(graph, reportedCampaigns),
  };
}

/** Each reported campaign's member links, a few per member. */
function campaignLinks(graph: AccountGraph, campaigns: ReportedCampaign[]): CampaignLinks[] {
  const campaignOf = new Map<string, string>();
  for (const campaign of campaigns)
    for (const member of campaign.accounts) campaignOf.set(member, campaign.campaign_id);
  const byCampaign = new Map<string, MemberLink[]>();
  for (const [key, link] of graph.links) {
    const [a, b] = key.split('|');
    const campaign = campaignOf.get(a);
    if (campaign === undefined || campaignOf.get(b) !== campaign) continue;
    const list = byCampaign.get(campaign) ?? [];
    let strongest: LinkKind = 'template';
    let most = -1;
    for (const [kind, count] of link.kinds) {
      const weight = graphDefaults.weights[kind] * count;
      if (weight > most) [strongest, most] = [kind, weight];
    }
    list.push({ a, b, weight: link.weight, kinds: Object.fromEntries(link.kinds), strongest });
    byCampaign.set(campaign, list);
  }
  return campaigns.map((campaign) => {
    const links = byCampaign.get(campaign.campaign_id) ?? [];
    const tie = new Map(links.map((link) => [link, pairHash(link.a, link.b)]));
    const incident = new Map<string, MemberLink[]>();
    for (const link of links)
      for (const member of [link.a, link.b]) {
        const list = incident.get(member) ?? [];
        list.push(link);
        incident.set(member, list);
      }
    // each member's strongest links, and as many more of its links drawn evenly (by a hash of the
    // pair): the strongest alone often join each account to the few nearest it (in sign-up time,
    // in the templates it fills), which draws a campaign as a long chain instead of the cluster it is
    const chosen = new Set<MemberLink>();
    const strongestCount = Math.ceil(linksPerMember / 2);
    for (const member of campaign.accounts) {
      const own = incident.get(member) ?? [];
      const byWeight = [...own].sort(
        (x, y) => y.weight - x.weight || (tie.get(x) as number) - (tie.get(y) as number),
      );
      for (const link of byWeight.slice(0, strongestCount)) chosen.add(link);
      const rest = byWeight
        .slice(strongestCount)
        .sort((x, y) => (tie.get(x) as number) - (tie.get(y) as number));
      for (const link of rest.slice(0, linksPerMember - strongestCount)) chosen.add(link);
    }
    return {
      campaign_id: campaign.campaign_id,
      links: [...chosen]
        .sort((x, y) => y.weight - x.weight || (tie.get(x) as number) - (tie.get(y) as number))
        .map((link) => ({ ...link, weight: round(link.weight, 3) })),
    };
  });
}

/** A stable 32-bit hash of an account pair (FNV-1a): an even, repeatable order of links. */
function pairHash(a: string, b: string): number {
  let hash = 0x811c9dc5;
  for (const text of [a, '|', b])
    for (let index = 0; index < text.length; index += 1) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  return hash;
}
