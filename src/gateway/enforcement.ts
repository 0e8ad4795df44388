// The enforcement port: what the proxy asks before serving (the account's ladder action and, where
// it refuses, the error to answer with), the degrade rewrites, and how decisions are stored (health,
// close at shutdown). The response ladder (respond/) implements it; tests may pass their own.
import type { GatewaySurface, JsonObject } from '../core/index.js';
import type { Action } from '../respond/index.js';
import type { ApiError } from './api-error.js';

/** The ladder's actions, and `fail_closed`: refused while detection is down (detection.on_detector_failure: closed). */
export type AdmissionAction = Action | 'fail_closed';

export interface Admission {
  action: AdmissionAction;
  reason: string;
  campaignId: string | null;
  /** Set when the request is refused (throttled past its bucket, verify, block). */
  refusal: ApiError | null;
  /** Tracer cohort the upstream should mark this response with. */
  cohort: number | null;
  /** How long a caller (the sidecar's gateway) may cache this decision. */
  ttlS: number;
}

/** Rewrites a streamed answer's events while it is relayed (degrade): event data in, data out. */
export interface RewrittenEvent {
  event: string;
  data: string;
}

export interface StreamRewriter {
  /** The events to send in place of one upstream event (none, one, or more). */
  event(eventName: string, data: string): RewrittenEvent[];
  /** Events to send before the stream ends (held-back text). */
  flush(): RewrittenEvent[];
}

/** Whether decisions reach the store, for /health and metrics. */
export interface DecisionWriteHealth {
  writable: boolean;
  /** The latest write's error while writes fail. */
  reason: string | null;
  /** When writes started failing (ms since the epoch). */
  since: number | null;
  pending: number;
  /** Decisions dropped since start because too many were waiting. */
  dropped: number;
}

export interface Enforcement {
  /** The account's admission: immediate, or a promise where shared throttle buckets (Redis) are asked. */
  admit(accountId: string, nowMs: number): Admission | Promise<Admission>;
  /**
   * Request body changes for degrade (cap max_tokens, drop reasoning options, decoy tools).
   * `decoySeed` (the campaign id, else the account id) keeps each caller's decoys the same.
   */
  degradeRequest(surface: GatewaySurface, body: JsonObject, decoySeed: string): JsonObject;
  /** Response body changes for degrade (remove reasoning and thinking text). */
  degradeResponse(surface: GatewaySurface, body: JsonObject): JsonObject;
  streamRewriter(surface: GatewaySurface): StreamRewriter;
  /** Where decisions are stored: how writing them goes (/health); null when nothing is stored. */
  decisionHealth(): DecisionWriteHealth | null;
  /** Stops its timers and writes what it holds (decisions not yet stored); called once at shutdown. */
  close(): Promise<void>;
}

/** Serves everyone: for tests of the proxy itself and for observe-only deployments. */
export const observeOnly: Enforcement = {
  admit: () => ({
    action: 'observe',
    reason: 'observe only',
    campaignId: null,
    refusal: null,
    cohort: null,
    ttlS: 60,
  }),
  degradeRequest: (_surface, body) => body,
  degradeResponse: (_surface, body) => body,
  streamRewriter: () => ({ event: (event, data) => [{ event, data }], flush: () => [] }),
  decisionHealth: () => null,
  close: async () => {},
};
