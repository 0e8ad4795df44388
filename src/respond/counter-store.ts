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
   * request refused by its campaign does not spend its account's allowance). In memory the answer
   * is immediate; a shared adapter answers with a promise.
   */
  takeAll(requests: readonly BucketRequest[], nowMs: number): TakeResult | Promise<TakeResult>;
}

/** What /health says of the shared counters. */
export interface CountersHealth {
  kind: 'memory' | 'redis';
  /** The URL without its password; null for memory. */
  url: string | null;
  /** False while Redis does not answer (requests are then limited per gateway). */
  shared: boolean;
  reason: string | null;
  /** When Redis stopped answering (ms since the epoch), null while it answers. */
  since: number | null;
  /** Takes decided by this gateway's own buckets since start because Redis did not answer. */
  localTakes: number;
}
