// The streaming detection pipeline: observe() every interaction as it is ingested (tier 1 signals,
// tier 2 profiles); buildFindings (findings.ts) turns what it observed into the cross-account graph,
// campaigns and verdicts (tier 3). Batch analysis replays a log through it (detection-worker.ts); the
// gateway's detector process feeds it live. Its state is bounded: past the account and address
// bounds the longest-idle are evicted (PipelineBounds).
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

/**
 * Bounds on what the pipeline keeps. Past a bound the longest-idle 1% (by their latest request's
 * time) are evicted, so one flood of new accounts or addresses cannot grow the detector without end.
 * The defaults sit far above any test or simulator run, so they change no result there: with
 * fewer accounts than `maxAccounts` nothing is ever evicted. An evicted account that comes back
 * starts a new profile (its older evidence is gone), which is why the bound is by count, not by
 * time: an idle-time limit would forget slow campaigns that a count bound keeps.
 */
export interface PipelineBounds {
  /** Account profiles kept (default 100,000: about 0.5-0.8 GB of detector heap). */
  maxAccounts: number;
  /** Client addresses indexed for the cross-account graph (default 500,000). */
  maxAddresses: number;
  /** Model names whose first sighting is kept (default 10,000; later ones are not indexed). */
  maxModels: number;
}

export const defaultPipelineBounds: PipelineBounds = {
  maxAccounts: 100_000,
  maxAddresses: 500_000,
  maxModels: 10_000,
};

/** A model the gateway does not serve is answered 404: such names say nothing about releases. */
const unservedModelStatus = 404;

export interface ObservedTraffic {
  profiles: Map<string, AccountProfile>;
  /** When each model was first seen in the traffic (a release, as far as the traffic shows). */
  modelFirstSeen: Map<string, number>;
  /** Accounts per client address (null once past sharedAddressLimit). */
  addressAccounts: Map<number, Set<string> | null>;
  firstTs: number;
}

/** Removes the longest-idle 1% (at least one) of `keys`, by the time `lastTs` gives each. */
function evictIdle<K>(
  keys: Iterable<K>,
  lastTs: (key: K) => number,
  size: number,
  remove: (key: K) => void,
): number {
  const count = Math.max(1, Math.floor(size / 100));
  const byAge = [...keys]
    .map((key) => ({ key, ts: lastTs(key) }))
    .sort((a, b) => a.ts - b.ts)
    .slice(0, count);
  for (const { key } of byAge) remove(key);
  return byAge.length;
}

export class DetectionPipeline {
  private readonly benchmarks: BenchmarkIndex;
  private readonly traffic: ObservedTraffic = {
    profiles: new Map(),
    modelFirstSeen: new Map(),
    addressAccounts: new Map(),
    firstTs: Number.POSITIVE_INFINITY,
  };
  private readonly bounds: PipelineBounds;
  /** Latest request time per indexed address (for evicting the longest-idle). */
  private readonly addressLastTs = new Map<number, number>();
  private evicted = 0;

  constructor(benchmarks: BenchmarkIndex, bounds: Partial<PipelineBounds> = {}) {
    this.benchmarks = benchmarks;
    this.bounds = { ...defaultPipelineBounds, ...bounds };
  }

  /** Accounts evicted so far to stay within `maxAccounts`. */
  get evictedAccounts(): number {
    return this.evicted;
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
      if (profiles.size >= this.bounds.maxAccounts) {
        this.evicted += evictIdle(
          profiles.keys(),
          (id) => (profiles.get(id) as AccountProfile).lastTs,
          profiles.size,
          (id) => profiles.delete(id),
        );
      }
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
    if (signals.status !== unservedModelStatus) {
      const firstSeen = modelFirstSeen.get(signals.model);
      if (firstSeen === undefined ? modelFirstSeen.size < this.bounds.maxModels : tsMs < firstSeen)
        modelFirstSeen.set(signals.model, tsMs);
    }
    if (tsMs < this.traffic.firstTs) this.traffic.firstTs = tsMs;
    if (signals.ipHash) {
      const accounts = addressAccounts.get(signals.ipHash);
      const lastTs = this.addressLastTs.get(signals.ipHash);
      if (lastTs === undefined || tsMs > lastTs) this.addressLastTs.set(signals.ipHash, tsMs);
      if (accounts === undefined) {
        if (addressAccounts.size >= this.bounds.maxAddresses) {
          evictIdle(
            addressAccounts.keys(),
            (ip) => this.addressLastTs.get(ip) ?? 0,
            addressAccounts.size,
            (ip) => {
              addressAccounts.delete(ip);
              if (ip !== signals.ipHash) this.addressLastTs.delete(ip);
            },
          );
        }
        addressAccounts.set(signals.ipHash, new Set([signals.accountId]));
      } else if (accounts !== null && !accounts.has(signals.accountId)) {
        if (accounts.size >= sharedAddressLimit) addressAccounts.set(signals.ipHash, null);
        else accounts.add(signals.accountId);
      }
    }
  }

  get observed(): ObservedTraffic {
    return this.traffic;
  }
}
