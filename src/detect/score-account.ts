// Account scoring: each behavioural signal adds log-odds evidence with a sentence an analyst can
// check against the raw traffic. The weights are documented in docs/detection.md; thresholds are
// calibrated on benign traffic (thresholds.ts).
import type { AccountFacts } from './account-facts.js';
import type { AccountProfile } from './account-profile.js';
import { elicitationFamilies } from './signals/elicitation.js';
import type { ObservedTraffic } from './pipeline.js';
import { hourMs } from './time-units.js';

export interface Evidence {
  signal: string;
  /** Log-odds contribution (positive: towards harvesting). */
  weight: number;
  detail: string;
}

export interface AccountAssessment {
  accountId: string;
  profile: AccountProfile;
  facts: AccountFacts;
  evidence: Evidence[];
  /** Sum of evidence plus the prior: log-odds of harvesting. */
  score: number;
  /** Recognised evaluation traffic. */
  benchmark: Evidence | null;
}

/** Log-odds before any evidence: most accounts are benign. */
export const priorLogOdds = -5;
/** Below this many requests, shares are too noisy to use. */
const minimumRequests = 5;

const percent = (share: number) => `${Math.round(share * 100)}%`;
const clip = (value: number) => Math.max(0, Math.min(1, value));
const familyWords: Record<string, string> = {
  chain_of_thought: 'step-by-step reasoning',
  reasoning_reconstruction: 'reconstruction of the reasoning behind a given answer',
  grading: 'grading or comparing answers',
  tool_trace: 'explanations of tool-call traces',
  safe_rewrite: 'censorship-safe rewrites',
};

function dominantFamilies(profile: AccountProfile): string {
  return elicitationFamilies
    .map((family, index) => [family, profile.elicitation[index]] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([family, count]) => `${familyWords[family]} (${percent(profile.share(count))})`)
    .join(', ');
}

/** Evaluation runs pack requests densely into few hours; harvesting and apps spread them out. */
export const evaluationRunDensity = 20;

/**
 * Recognised benchmarking: most requests carry public benchmark items AND arrive as evaluation runs
 * (dense bursts). Benchmark items sent around the clock are content like any other: an operator
 * cannot buy protection by wrapping public items in his harvesting templates.
 */
function benchmarkEvidence(profile: AccountProfile): Evidence | null {
  const share = profile.benchmarkProbes > 0 ? profile.benchmarkHits / profile.benchmarkProbes : 0;
  if (profile.requests < minimumRequests || share < 0.5) return null;
  const density = profile.requests / Math.max(1, profile.activeHours.size);
  if (density < evaluationRunDensity) return null;
  const items = Math.round(profile.benchmarkItems.estimate());
  return {
    signal: 'benchmark_items',
    weight: 0,
    detail: `${percent(share)} of ${profile.requests} requests carry items of public benchmarks (${[...profile.benchmarkSuites].sort().join(', ')}; about ${items} distinct items), sent as evaluation runs (${Math.round(density)} requests per active hour over ${profile.activeHours.size} hours): evaluation traffic, protected`,
  };
}

/**
 * Evaluation runs of a set that is in no index: dense bursts (20+ requests per active hour, most
 * gaps under 5 s), deterministic or scored sampling (temperature 0, logprobs or n > 1 on half the
 * requests), a daily rhythm and a fixed network. Only asked of accounts whose prompts would
 * otherwise count as harvesting, so ordinary batch jobs are not relabelled.
 */
function evaluationRunEvidence(profile: AccountProfile): Evidence | null {
  if (profile.requests < 50 || profile.share(profile.harvestShaped) < 0.2) return null;
  const density = profile.requests / Math.max(1, profile.activeHours.size);
  const bursty = profile.share(profile.quickGaps);
  const scored = Math.max(
    profile.share(profile.temperatureZero),
    profile.share(profile.logprobs),
    profile.share(profile.multiSample),
  );
  if (density < evaluationRunDensity || bursty < 0.5 || scored < 0.5) return null;
  if (profile.troughShare() >= 0.05 || profile.networkRotation() >= 0.3) return null;
  return {
    signal: 'evaluation_run',
    weight: 0,
    detail: `${profile.requests} requests in ${profile.activeHours.size} active hours (${Math.round(density)} per hour, ${percent(bursty)} within 5 s of the previous one), ${percent(scored)} with temperature 0, logprobs or several samples: the shape of an evaluation run of a set in no known index; protected, for a human to confirm`,
  };
}

export function assessAccount(
  profile: AccountProfile,
  facts: AccountFacts,
  traffic: ObservedTraffic,
): AccountAssessment {
  const evidence: Evidence[] = [];
  const add = (signal: string, weight: number, detail: string) => {
    if (weight !== 0) evidence.push({ signal, weight: Math.round(weight * 100) / 100, detail });
  };
  const counted = profile.requests;
  const enough = counted >= minimumRequests;
  const share = (count: number) => (counted > 0 ? count / counted : 0);

  if (enough) {
    const harvest = share(profile.harvestShaped);
    const templates = profile.templateKeys().length;
    if (harvest > 0) {
      add(
        'harvest_templates',
        8 * harvest,
        `${percent(harvest)} of ${counted} requests fill recurring prompt templates (${templates || 'a few'} distinct fixed opening${templates === 1 ? '' : 's'} or ending${templates === 1 ? '' : 's'}) with new content each time and ask for ${dominantFamilies(profile)}`,
      );
    }
    const templatedOnly = share(profile.templatedFresh) - harvest;
    if (templatedOnly > 0.2)
      add(
        'template_concentration',
        1.0 * templatedOnly,
        `${percent(share(profile.templatedFresh))} of requests wrap new content in fixed templates (${templates || 'a few'} distinct openings or endings); on its own this is how SaaS products and batch jobs look`,
      );
    if (profile.sequential.alarmed)
      add(
        'sequential_test',
        2,
        `sequential test (CUSUM of likelihood ratios, alpha 1e-4) reached a harvesting verdict after ${profile.sequential.alarmAfter} requests`,
      );
  }
  if (profile.requests >= 48) {
    const trough = profile.troughShare();
    if (trough >= 0.1)
      add(
        'flat_load',
        1.5 * clip((trough - 0.08) / 0.14),
        `activity does not follow a day: ${percent(trough)} of requests fall in the quietest 6 hours of the day (people: a few %)`,
      );
  }
  const flat = evidence.some((item) => item.signal === 'flat_load');
  if (enough && flat) {
    const loops = share(profile.toolHistory);
    if (loops >= 0.3)
      add(
        'automated_agent_loops',
        1.5 * clip(loops / 0.6),
        `${percent(loops)} of requests continue tool-call loops (tool calls and results fed back), around the clock`,
      );
  }
  if (profile.requests >= 20) {
    const rotation = profile.networkRotation();
    if (rotation >= 0.3)
      add(
        'network_rotation',
        1.5 * clip((rotation - 0.2) / 0.5),
        `requests come from about ${Math.round(profile.prefixes.estimate())} different /24 networks in ${profile.requests} requests (rotating proxy exits)`,
      );
  }
  if (enough) {
    const harvestCapabilities = share(
      profile.capabilityCounts[0] +
        profile.capabilityCounts[1] +
        profile.capabilityCounts[2] +
        profile.capabilityCounts[3],
    );
    const traceShare = share(profile.elicitation[elicitationFamilies.indexOf('tool_trace')]);
    if (harvestCapabilities >= 0.8 && (share(profile.elicited) >= 0.3 || traceShare >= 0.05))
      add(
        'capability_focus',
        1,
        `${percent(harvestCapabilities)} of requests target coding, reasoning, tool use or grading`,
      );
    const longAsks = share(profile.longOutputAsks);
    if (longAsks >= 0.5)
      add(
        'long_outputs',
        0.5,
        `${percent(longAsks)} of requests ask for at least 4,000 output tokens`,
      );
    const multiTurn = share(profile.multiTurn);
    if (multiTurn > 0)
      add(
        'conversations',
        -3 * multiTurn,
        `${percent(multiTurn)} of requests continue a conversation with its history (ordinary chat use)`,
      );
  }
  if (facts.createdAtMs !== null && Number.isFinite(profile.firstTs)) {
    const ageDays = (profile.firstTs - facts.createdAtMs) / (24 * hourMs);
    const weakVerification =
      facts.verification === null || ['none', 'email', 'phone'].includes(facts.verification);
    if (ageDays < 30 && weakVerification && enough && share(profile.elicited) >= 0.3)
      add(
        'new_account',
        0.5,
        `account was ${ageDays < 1 ? 'less than a day' : `${Math.round(ageDays)} days`} old at its first request, ${facts.verification === null || facts.verification === 'none' ? 'not verified' : `verified only by ${facts.verification}`}`,
      );
    if (ageDays > 365 && (facts.verification === 'organization' || facts.verification === 'card'))
      add(
        'established_account',
        -0.5,
        `account is ${Math.round(ageDays / 365) === 1 ? 'a year' : `${Math.round(ageDays / 365)} years`} old and verified by ${facts.verification}`,
      );
  }
  for (const [model, firstUse] of profile.models) {
    const released = traffic.modelFirstSeen.get(model) ?? firstUse;
    if (
      released > traffic.firstTs + 6 * hourMs &&
      firstUse - released < 6 * hourMs &&
      enough &&
      share(profile.elicited) >= 0.3
    ) {
      add(
        'fast_model_switch',
        0.5,
        `moved to ${model} ${((firstUse - released) / hourMs).toFixed(1)} hours after it first appeared in the traffic`,
      );
      break;
    }
  }
  const score = priorLogOdds + evidence.reduce((sum, item) => sum + item.weight, 0);
  return {
    accountId: profile.accountId,
    profile,
    facts,
    evidence,
    score,
    benchmark: benchmarkEvidence(profile) ?? evaluationRunEvidence(profile),
  };
}
