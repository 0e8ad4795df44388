// What the proxy asks before serving: the account's ladder action, and, where it refuses, the
// error to answer with. The response ladder (respond/) implements it; tests may pass their own.
import type { ApiError } from './api-error.js';
import type { ApiSurface } from './response-capture.js';

/** The ladder's rungs, and `fail_closed`: refused while detection is down (detection.on_detector_failure: closed). */
export type LadderAction = 'observe' | 'tracer' | 'throttle' | 'verify' | 'degrade' | 'block' | 'fail_closed';

export interface Admission {
  action: LadderAction;
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

export interface Enforcement {
  admit(accountId: string, nowMs: number): Admission;
  /**
   * Request body changes for degrade (cap max_tokens, drop reasoning options, decoy tools).
   * `decoySeed` (the campaign id, else the account id) keeps each caller's decoys the same.
   */
  degradeRequest(surface: ApiSurface, body: Record<string, unknown>, decoySeed: string): Record<string, unknown>;
  /** Response body changes for degrade (remove reasoning and thinking text). */
  degradeResponse(surface: ApiSurface, body: Record<string, unknown>): Record<string, unknown>;
  streamRewriter(surface: ApiSurface): StreamRewriter;
}

/** Serves everyone: for tests of the proxy itself and for observe-only deployments. */
export const observeOnly: Enforcement = {
  admit: () => ({ action: 'observe', reason: 'observe only', campaignId: null, refusal: null, cohort: null, ttlS: 60 }),
  degradeRequest: (_surface, body) => body,
  degradeResponse: (_surface, body) => body,
  streamRewriter: () => ({ event: (event, data) => [{ event, data }], flush: () => [] }),
};
