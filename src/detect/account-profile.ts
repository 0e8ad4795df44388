// Per-account streaming state (tier 2): bounded sketches and counters updated on every request,
// whatever the account's volume. Memory per account is a few kilobytes.
import { capabilities, type Capability } from './signals/capability.js';
import { elicitationFamilies } from './signals/elicitation.js';
import { mix32 } from '../core/index.js';
import type { RequestSignals } from './signals/request-signals.js';
import { BottomK } from './sketches/bottom-k.js';
import { DirectMappedTable } from './sketches/direct-mapped-table.js';
import { HyperLogLog } from './sketches/hyperloglog.js';
import { SpaceSaving } from './sketches/space-saving.js';
import { SequentialTest } from './sequential-test.js';

/** A template key counts as the account's template once it has been seen this often. */
export const templateRepeats = 2;
/** Time bucket for synchrony between accounts (SynchroTrap-style). */
export const syncBucketMs = 10 * 60_000;
/** Distinct values kept per account in each set (models, ASNs, user agents, system prompts). */
const maxTracked = 64;
/** Skeleton fingerprints are taken for an account's first templated requests, then for one in `every`: enough to find its frequent bands. */
export const skeletonSampling = { after: 16, every: 32 };
const maxActiveHours = 24 * 400;

export class AccountProfile {
  readonly accountId: string;
  requests = 0;
  firstTs = Number.POSITIVE_INFINITY;
  lastTs = Number.NEGATIVE_INFINITY;
  readonly hours = new Uint32Array(24);
  /** Requests whose template key was already the account's template, with new text each time. */
  templatedFresh = 0;
  /** Templated and eliciting: the harvesting shape. */
  harvestShaped = 0;
  exactRepeats = 0;
  readonly templates = new SpaceSaving(24);
  /** Direct-mapped table of recently seen template keys: a key enters the sketch only when seen twice, so new content never floods it. */
  private readonly recentKeys = new DirectMappedTable(256, 'float64');
  /** Direct-mapped table of recently seen exact texts (low 32 bits of their hash). */
  private readonly recentTexts = new DirectMappedTable(512, 'uint32');
  /** Hour buckets with activity (capped): evaluation runs pack many requests into few hours. */
  readonly activeHours = new Set<number>();
  readonly exactTexts = new HyperLogLog(8);
  readonly elicitation = new Uint32Array(elicitationFamilies.length);
  elicited = 0;
  systemChainOfThought = 0;
  readonly capabilityCounts = new Uint32Array(capabilities.length);
  multiTurn = 0;
  toolHistory = 0;
  toolsOffered = 0;
  longOutputAsks = 0;
  temperatureZero = 0;
  logprobs = 0;
  multiSample = 0;
  readonly apis = new Set<string>();
  /** First use of each model by this account (at most maxTracked models). */
  readonly models = new Map<string, number>();
  readonly addresses = new HyperLogLog(8);
  readonly prefixes = new HyperLogLog(8);
  readonly asns = new Set<number>();
  readonly userAgents = new Set<number>();
  readonly systemPrompts = new Set<number>();
  benchmarkHits = 0;
  /** Requests checked against the benchmark index (probing is sampled for accounts without hits). */
  benchmarkProbes = 0;
  readonly benchmarkItems = new HyperLogLog(8);
  readonly benchmarkSuites = new Set<string>();
  inputTokens = 0;
  outputTokens = 0;
  errors = 0;
  /** Gaps under 5 s between consecutive requests (bursts). */
  quickGaps = 0;
  readonly synchrony = new BottomK(64);
  /** MinHash band keys of the skeletons of templated requests (near-identical templates share them). */
  readonly skeletons = new SpaceSaving(32);
  readonly sequential = new SequentialTest();

  constructor(accountId: string) {
    this.accountId = accountId;
  }

  /** Updates the profile with one request (requests may arrive slightly out of order). */
  observe(
    signals: RequestSignals,
    benchmarkItem: number,
    benchmarkSuite: string | null,
    skeletonBands?: () => number[],
  ): void {
    this.requests += 1;
    if (signals.ts - this.lastTs >= 0 && signals.ts - this.lastTs < 5000) this.quickGaps += 1;
    if (signals.ts < this.firstTs) this.firstTs = signals.ts;
    if (signals.ts > this.lastTs) this.lastTs = signals.ts;
    this.hours[new Date(signals.ts).getUTCHours()] += 1;
    if (this.activeHours.size < maxActiveHours)
      this.activeHours.add(Math.floor(signals.ts / 3_600_000));
    this.apis.add(signals.api);
    // a model the gateway does not serve (404) is no model switch; the map is capped like the sets below
    if (signals.status !== 404) {
      const firstUse = this.models.get(signals.model);
      if (firstUse === undefined ? this.models.size < maxTracked : firstUse > signals.ts)
        this.models.set(signals.model, signals.ts);
    }
    if (signals.status >= 400) this.errors += 1;
    this.inputTokens += signals.inputTokens;
    this.outputTokens += signals.outputTokens;
    if (signals.ipHash) this.addresses.add(mix32(signals.ipHash));
    if (signals.prefixHash) this.prefixes.add(mix32(signals.prefixHash));
    if (signals.asn !== null && this.asns.size < maxTracked) this.asns.add(signals.asn);
    if (signals.userAgentHash && this.userAgents.size < maxTracked)
      this.userAgents.add(signals.userAgentHash);
    if (signals.systemHash && this.systemPrompts.size < maxTracked)
      this.systemPrompts.add(signals.systemHash);
    if (signals.systemChainOfThought) this.systemChainOfThought += 1;
    this.capabilityCounts[capabilities.indexOf(signals.capability)] += 1;
    if (signals.userTurns >= 2 && !signals.toolHistory) this.multiTurn += 1;
    if (signals.toolHistory) this.toolHistory += 1;
    if (signals.toolsOffered > 0) this.toolsOffered += 1;
    if (signals.maxTokens !== null && signals.maxTokens >= 4000) this.longOutputAsks += 1;
    if (signals.temperature === 0) this.temperatureZero += 1;
    if (signals.logprobs) this.logprobs += 1;
    if (signals.samples > 1) this.multiSample += 1;
    for (let family = 0; family < elicitationFamilies.length; family += 1)
      if (signals.elicitation & (1 << family)) this.elicitation[family] += 1;
    if (signals.elicitation) this.elicited += 1;

    if (benchmarkItem !== -2) this.benchmarkProbes += 1;
    if (benchmarkItem >= 0) {
      this.benchmarkHits += 1;
      this.benchmarkItems.add(mix32(benchmarkItem + 1));
      if (benchmarkSuite) this.benchmarkSuites.add(benchmarkSuite);
    }
    const exact = signals.keys.exact;
    const exactLow = (exact % 0x100000000) >>> 0;
    this.exactTexts.add(mix32(exactLow));
    // a repeat of a recent text (same prompt again: retries, pass@k, reruns); older repeats age out
    const exactSlot = mix32(exactLow) % this.recentTexts.size;
    const repeated = this.recentTexts.get(exactSlot) === (exactLow || 1);
    this.recentTexts.set(exactSlot, exactLow || 1);
    if (repeated) this.exactRepeats += 1;
    const templated =
      this.templateHit(signals.keys.head, exactLow) ||
      this.templateHit(signals.keys.tail, exactLow);
    const fresh = templated && !repeated;
    if (fresh) this.templatedFresh += 1;
    const harvest = fresh && signals.elicitation !== 0;
    if (harvest) this.harvestShaped += 1;
    this.sequential.observe(harvest);
    // skeletons are sampled once an account has shown its templates: enough to find its frequent bands
    if (
      fresh &&
      skeletonBands &&
      (this.templatedFresh <= skeletonSampling.after ||
        this.templatedFresh % skeletonSampling.every === 0)
    ) {
      for (const band of skeletonBands()) this.skeletons.add(band);
    }
    if (fresh) {
      const key = signals.keys.head ?? signals.keys.tail ?? 0;
      const bucket = Math.floor(signals.ts / syncBucketMs);
      this.synchrony.add(mix32(Math.imul(bucket, 0x9e3779b1) ^ (key % 0x100000000)));
    }
  }

  /** Counts `key` in the template sketch; true when it was already this account's template. */
  private templateHit(key: number | null, exactLow: number): boolean {
    if (key === null) return false;
    let entry = this.templates.get(key);
    if (!entry) {
      const slot = key % this.recentKeys.size;
      if (this.recentKeys.get(slot) !== key) {
        this.recentKeys.set(slot, key);
        return false;
      }
      entry = this.templates.add(key);
      if (entry.error === 0) entry.count = 2; // this is its second sighting
      entry.tag = exactLow || 1;
      return false;
    }
    entry.count += 1;
    const known = entry.count - entry.error > templateRepeats;
    // tag: last exact text seen under this key, negated once texts have varied
    if (entry.tag === 0) entry.tag = exactLow || 1;
    else if (entry.tag > 0 && entry.tag !== (exactLow || 1)) entry.tag = -1;
    return known;
  }

  /** The account's templates: keys seen at least `minimum` times with varying text. */
  templateKeys(minimum = 3): number[] {
    return this.templates
      .frequent(minimum)
      .filter((entry) => entry.tag === -1)
      .map((entry) => entry.key);
  }

  /** Skeleton band keys seen on at least `minimum` templated requests. */
  skeletonKeys(minimum = 3): number[] {
    return this.skeletons.frequent(minimum).map((entry) => entry.key);
  }

  share(count: number): number {
    return this.requests === 0 ? 0 : count / this.requests;
  }

  capabilityShare(capability: Capability): number {
    return this.share(this.capabilityCounts[capabilities.indexOf(capability)]);
  }

  /** Share of requests in the quietest six consecutive hours of the day: ~0.25 for 24/7 load, a few % for people. */
  troughShare(): number {
    if (this.requests === 0) return 0;
    let quietest = Number.POSITIVE_INFINITY;
    for (let start = 0; start < 24; start += 1) {
      let sum = 0;
      for (let offset = 0; offset < 6; offset += 1) sum += this.hours[(start + offset) % 24];
      quietest = Math.min(quietest, sum);
    }
    return quietest / this.requests;
  }

  /** Distinct /24 networks per request: near 1 when every request leaves from a new proxy exit. */
  networkRotation(): number {
    return this.requests === 0 ? 0 : Math.min(1, this.prefixes.estimate() / this.requests);
  }
}
