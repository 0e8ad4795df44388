// What a refused request answers (block, verify, or a throttle with no token), independent of the
// API: the gateway renders it once in the caller's error format, OpenAI or Anthropic, with the
// status and, for 429, a Retry-After header.
import type { Decision } from './ladder.js';
import type { PolicyConfig } from './policy-config.js';
import type { ThrottleResult } from './token-bucket.js';

export interface Refusal {
  status: 403 | 429;
  /** Stable error code: account_blocked, verification_required, rate_limit_exceeded. */
  code: 'account_blocked' | 'verification_required' | 'rate_limit_exceeded';
  /** A sentence the client can act on. */
  message: string;
  /** OpenAI `error.type` and Anthropic `error.type` for this refusal. */
  openai_type: 'permission_error' | 'rate_limit_error';
  anthropic_type: 'permission_error' | 'rate_limit_error';
  /** Seconds for the Retry-After header (429 only). */
  retry_after_s?: number;
}

/**
 * The refusal for a decision, or null when the request goes on (observe, tracer, degrade, or a
 * throttle whose buckets allowed it). Pass the throttle check's result for throttle decisions.
 */
export function refusalFor(
  decision: Decision,
  policy: PolicyConfig,
  throttle?: ThrottleResult,
): Refusal | null {
  switch (decision.action) {
    case 'block':
      return {
        status: 403,
        code: 'account_blocked',
        message: policy.messages.block,
        openai_type: 'permission_error',
        anthropic_type: 'permission_error',
      };
    case 'verify':
      return {
        status: 403,
        code: 'verification_required',
        message: policy.messages.verify,
        openai_type: 'permission_error',
        anthropic_type: 'permission_error',
      };
    case 'throttle': {
      if (throttle === undefined || throttle.allowed) return null;
      const scope =
        throttle.limitedBy === 'account' ? '' : ' (the limit is shared with linked accounts)';
      return {
        status: 429,
        code: 'rate_limit_exceeded',
        message: `${policy.messages.throttle}${scope}`,
        openai_type: 'rate_limit_error',
        anthropic_type: 'rate_limit_error',
        retry_after_s: throttle.retryAfterS,
      };
    }
    default:
      return null;
  }
}
