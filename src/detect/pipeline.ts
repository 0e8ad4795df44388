// The streaming detection pipeline: observe() every interaction as it is ingested (tier 1 signals,
// tier 2 profiles), then finish() builds the cross-account graph, campaigns and verdicts (tier 3).
// Batch analysis replays a log through it; the gateway will feed it live.
import type { Interaction } from '../core/index.js';
import { AccountProfile } from './account-profile.js';
import type { BenchmarkIndex } from './benchmarks/benchmark-index.js';
import { requestSignals, type RequestSignals } from './signals/request-signals.js';
import { skeletonBands, skeletonSignature } from './signals/skeleton-minhash.js';

/** Benchmark probing is sampled for accounts that show no benchmark items. */
export const benchmarkSampling = { after: 50, every: 8 };
/** benchmarkItem value of a request that was not probed. */
export const notProbed = -2;

/** An address used by more accounts than this is a shared exit (NAT, cloud range, reseller pool) and links nobody. */
export const sharedAddressLimit = 64;

export interface ObservedTraffic {
  profiles: Map<string, AccountProfile>;
  /** When each model was first seen in the traffic (a release, as far as the traffic shows). */
  modelFirstSeen: Map<string, number>;
  /** Accounts per client address (null once past sharedAddressLimit). */
  addressAccounts: Map<number, Set<string> | null>;
  firstTs: number;
}

export class DetectionPipeline {
  private readonly benchmarks: BenchmarkIndex;
  private readonly traffic: ObservedTraffic = { profiles: new Map(), modelFirstSeen: new Map(), addressAccounts: new Map(), firstTs: Number.POSITIVE_INFINITY };

  constructor(benchmarks: BenchmarkIndex) {
    this.benchmarks = benchmarks;
  }

  /** Folds one interaction into the account's profile; `tsMs` is its parsed time. */
  observe(record: Interaction, tsMs: number): void {
    this.observeSignals(requestSignals(record, tsMs));
  }

  /**
   * Folds a request's tier-1 signals into its account's profile and the traffic-wide indexes,
   * probing the benchmark index first. Once an account has sent benchmarkSampling.after requests
   * without a single benchmark item, only one request in benchmarkSampling.every is probed: the
   * share stays an unbiased estimate at a fraction of the cost for high-volume accounts.
   */
  observeSignals(signals: RequestSignals): void {
    const tsMs = signals.ts;
    const { profiles, modelFirstSeen, addressAccounts } = this.traffic;
    let profile = profiles.get(signals.accountId);
    if (!profile) {
      profile = new AccountProfile(signals.accountId);
      profiles.set(signals.accountId, profile);
    }
    let benchmarkItem = notProbed;
    let benchmarkSuite: string | null = null;
    const sampled = profile.requests >= benchmarkSampling.after && profile.benchmarkHits === 0;
    if (!sampled || signals.keys.exact % benchmarkSampling.every === 0) {
      const match = this.benchmarks.match(signals.probeText);
      benchmarkItem = match ? match.item : -1;
      benchmarkSuite = match ? match.suite : null;
    }
    profile.observe(signals, benchmarkItem, benchmarkSuite, () => {
      const signature = skeletonSignature(signals.headText, signals.probeText);
      return signature ? skeletonBands(signature) : [];
    });
    const firstSeen = modelFirstSeen.get(signals.model);
    if (firstSeen === undefined || tsMs < firstSeen) modelFirstSeen.set(signals.model, tsMs);
    if (tsMs < this.traffic.firstTs) this.traffic.firstTs = tsMs;
    if (signals.ipHash) {
      const accounts = addressAccounts.get(signals.ipHash);
      if (accounts === undefined) addressAccounts.set(signals.ipHash, new Set([signals.accountId]));
      else if (accounts !== null && !accounts.has(signals.accountId)) {
        if (accounts.size >= sharedAddressLimit) addressAccounts.set(signals.ipHash, null);
        else accounts.add(signals.accountId);
      }
    }
  }

  get observed(): ObservedTraffic {
    return this.traffic;
  }
}
