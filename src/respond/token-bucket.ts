// In-memory token buckets (the default CounterStore) and the throttle check the gateway runs when
// the action is throttle: a request passes only if its account's and its campaign's buckets allow.
// Memory is bounded: least recently used buckets are evicted past a cap, and a bucket idle long
// enough to be full again is dropped (a missing bucket reads as full, so that loses nothing).
import type { BucketRequest, CounterStore, TakeResult } from './counter-store.js';
import type { BucketRate, PolicyConfig } from './policy-config.js';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const perMs = (rate: BucketRate) => rate.requests_per_minute / 60_000;

/** Tokens in a bucket at `nowMs` after refill (a missing bucket is full). */
function refilled(bucket: Bucket | undefined, rate: BucketRate, nowMs: number): number {
  if (bucket === undefined) return rate.burst;
  const elapsed = Math.max(0, nowMs - bucket.updatedMs);
  return Math.min(rate.burst, bucket.tokens + elapsed * perMs(rate));
}

/** Whole seconds until a bucket holding `tokens` holds one; at least 1. */
export function retryAfterSeconds(tokens: number, rate: BucketRate): number {
  const missing = Math.max(0, 1 - tokens);
  return Math.max(1, Math.ceil(missing / perMs(rate) / 1000 - 1e-9));
}

export class MemoryCounterStore implements CounterStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  /** @param options.maxKeys most buckets held at once (default 100,000). */
  constructor(options: { maxKeys?: number } = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  takeAll(requests: readonly BucketRequest[], nowMs: number): TakeResult {
    const levels = requests.map((request) =>
      refilled(this.buckets.get(request.key), request.rate, nowMs),
    );
    const denied = requests.filter((_, index) => levels[index] < 1);
    const allowed = denied.length === 0;
    requests.forEach((request, index) =>
      this.put(request.key, { tokens: levels[index] - (allowed ? 1 : 0), updatedMs: nowMs }),
    );
    if (allowed) return { allowed, retryAfterS: 0, deniedBy: [] };
    const retryAfterS = Math.max(
      ...requests.map((request, index) =>
        levels[index] < 1 ? retryAfterSeconds(levels[index], request.rate) : 0,
      ),
    );
    return { allowed, retryAfterS, deniedBy: denied.map((request) => request.key) };
  }

  /** Drops buckets that have refilled completely by `nowMs`; `rateOf` gives each key's rate. */
  sweep(nowMs: number, rateOf: (key: string) => BucketRate): number {
    let dropped = 0;
    for (const [key, bucket] of this.buckets) {
      const rate = rateOf(key);
      if (refilled(bucket, rate, nowMs) >= rate.burst) {
        this.buckets.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  private put(key: string, bucket: Bucket): void {
    this.buckets.delete(key); // re-insert, so Map order is least recently used first
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}

export const accountBucketKey = (accountId: string) => `account:${accountId}`;
export const campaignBucketKey = (campaignId: string) => `campaign:${campaignId}`;

export interface ThrottleResult extends TakeResult {
  /** Which limit refused the request, for the error message and metrics. */
  limitedBy: 'account' | 'campaign' | 'account_and_campaign' | null;
}

/**
 * The throttle check for one request under a throttle decision: the account's bucket and, for a
 * campaign member, the campaign's shared bucket must both hold a token.
 * @example throttleRequest(store, policy, 'a1', 'c7', Date.now()) // { allowed: false, retryAfterS: 3, ... }
 */
export function throttleRequest(
  store: MemoryCounterStore,
  policy: PolicyConfig,
  accountId: string,
  campaignId: string | null,
  nowMs: number,
): ThrottleResult;
export function throttleRequest(
  store: CounterStore,
  policy: PolicyConfig,
  accountId: string,
  campaignId: string | null,
  nowMs: number,
): ThrottleResult | Promise<ThrottleResult>;
export function throttleRequest(
  store: CounterStore,
  policy: PolicyConfig,
  accountId: string,
  campaignId: string | null,
  nowMs: number,
): ThrottleResult | Promise<ThrottleResult> {
  const requests: BucketRequest[] = [
    { key: accountBucketKey(accountId), rate: policy.throttle.account },
  ];
  if (campaignId !== null)
    requests.push({ key: campaignBucketKey(campaignId), rate: policy.throttle.campaign });
  const taken = store.takeAll(requests, nowMs);
  return taken instanceof Promise
    ? taken.then((result) => withLimit(result, requests))
    : withLimit(taken, requests);
}

/** Names which of the request's buckets refused it. */
function withLimit(result: TakeResult, requests: readonly BucketRequest[]): ThrottleResult {
  const byAccount = result.deniedBy.includes(requests[0].key);
  const byCampaign = requests.length > 1 && result.deniedBy.includes(requests[1].key);
  const limitedBy =
    byAccount && byCampaign
      ? 'account_and_campaign'
      : byAccount
        ? 'account'
        : byCampaign
          ? 'campaign'
          : null;
  return { ...result, limitedBy };
}

/** The rate of a key made by accountBucketKey or campaignBucketKey, for MemoryCounterStore.sweep. */
export function rateOfKey(policy: PolicyConfig): (key: string) => BucketRate {
  return (key) =>
    key.startsWith('campaign:') ? policy.throttle.campaign : policy.throttle.account;
}
