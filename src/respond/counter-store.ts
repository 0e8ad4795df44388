// The port for throttle state: token buckets behind an interface, so a shared adapter (Redis, one
// Lua script per call) can replace the in-memory one without touching the ladder or the gateway.
import type { BucketRate } from './policy-config.js';

export interface BucketRequest {
  /** Namespaced key, e.g. `account:a1` or `campaign:c7`. */
  key: string;
  rate: BucketRate;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole seconds until every denying bucket holds a token again; 0 when allowed. */
  retryAfterS: number;
  /** Keys whose bucket had no token (empty when allowed). */
  deniedBy: string[];
}

export interface CounterStore {
  /**
   * Takes one token from every bucket if each holds one, and none otherwise (all or nothing, so a
   * request refused by its campaign does not spend its account's allowance).
   */
  takeAll(requests: readonly BucketRequest[], nowMs: number): TakeResult;
}
