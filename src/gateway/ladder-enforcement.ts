// The response ladder at the gateway: reads the live assessment, asks respond/ for the account's
// decision (campaigns act as a whole), takes throttle tokens, and stores every change of decision
// with its reason. Decisions are cached per account until the next assessment or their expiry,
// except for accounts detection has not flagged: those share one decision and cache nothing, so
// ordinary traffic over many accounts leaves no per-account garbage to outlive the young generation.
import type { LiveAssessment } from '../detect/index.js';
import type { LiveDetection } from './live-detection.js';
import {
  AnthropicStreamScrubber, MemoryCounterStore, OpenAIChatStreamScrubber, ThinkingFilter, decide, degradeRequest, rateOfKey, refusalFor,
  stripReasoningFromResponse, throttleRequest, type AccountState, type Decision, type PolicyConfig,
} from '../respond/index.js';
import type { DecisionRow, Store } from '../store/index.js';
import { ApiError } from './api-error.js';
import type { Admission, Enforcement, RewrittenEvent, StreamRewriter } from './enforcement.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { ApiSurface } from './response-capture.js';

type Json = Record<string, unknown>;

const unscoredState = (accountId: string): AccountState => ({ accountId, verdict: null, risk: 0, campaign: null });

/** How long an unflagged account's decision holds, when the policy observes such accounts without a tracer cohort; null otherwise (then each account is decided on its own). */
function unscoredTtlS(policy: PolicyConfig): number | null {
  const decision = decide(unscoredState(''), policy, 0);
  return decision.action === 'observe' && decision.cohort === undefined ? decision.ttl_s : null;
}

/** An unflagged account's admission: shared fields, and the reason written only when someone reads it (the sidecar's answer). */
class UnscoredAdmission implements Admission {
  readonly action = 'observe';
  readonly campaignId = null;
  readonly refusal = null;
  readonly cohort = null;
  readonly ttlS: number;
  private readonly accountId: string;
  private readonly policy: PolicyConfig;
  private readonly nowMs: number;

  constructor(accountId: string, ttlS: number, policy: PolicyConfig, nowMs: number) {
    this.accountId = accountId;
    this.ttlS = ttlS;
    this.policy = policy;
    this.nowMs = nowMs;
  }

  get reason(): string {
    return decide(unscoredState(this.accountId), this.policy, this.nowMs).reason;
  }
}

/** What the ladder reads of live detection. */
export type LiveView = Pick<LiveDetection, 'account' | 'campaign' | 'assessment'>;

export class LadderEnforcement implements Enforcement {
  private readonly live: LiveView;
  private readonly store: Store;
  private readonly policy: PolicyConfig;
  private readonly metrics: GatewayMetrics | null;
  private readonly buckets = new MemoryCounterStore({ maxKeys: 200_000 });
  private readonly timer: NodeJS.Timeout;
  private seenAssessment: LiveAssessment | null = null;
  private campaignOf = new Map<string, string>();
  private decisions = new Map<string, Decision>();
  /** The decision's ttl for an account with no verdict, no risk and no campaign, when the ladder plainly observes it; null when it does not. */
  private readonly unscoredTtlS: number | null;
  /** Last action recorded per account: only changes are stored. */
  private readonly lastAction = new Map<string, string>();
  private pending: DecisionRow[] = [];

  constructor(live: LiveView, store: Store, policy: PolicyConfig, metrics: GatewayMetrics | null = null) {
    this.live = live;
    this.store = store;
    this.policy = policy;
    this.metrics = metrics;
    this.unscoredTtlS = unscoredTtlS(policy);
    this.timer = setInterval(() => this.flush(), 1_000);
    this.timer.unref();
  }

  /** The account's state in the latest assessment. */
  stateOf(accountId: string): AccountState {
    this.refresh();
    const account = this.live.account(accountId);
    const campaignId = account?.campaignId ?? this.campaignOf.get(accountId) ?? null;
    const campaign = campaignId ? this.live.campaign(campaignId) : undefined;
    return {
      accountId,
      verdict: account?.verdict ?? null,
      risk: account?.risk ?? 0,
      campaign: campaign ? { id: campaign.id, verdict: campaign.verdict, risk: campaign.risk, accounts: campaign.accounts.length } : null,
    };
  }

  admit(accountId: string, nowMs: number): Admission {
    this.refresh();
    if (this.unscoredTtlS !== null && !this.lastAction.has(accountId) && !this.campaignOf.has(accountId) && this.live.account(accountId) === undefined) {
      return new UnscoredAdmission(accountId, this.unscoredTtlS, this.policy, nowMs);
    }
    let decision = this.decisions.get(accountId);
    if (!decision || decision.expires_at_ms <= nowMs) {
      const state = this.stateOf(accountId);
      decision = decide(state, this.policy, nowMs);
      this.decisions.set(accountId, decision);
      this.note(state, decision, nowMs);
    }
    let refusal: ApiError | null = null;
    if (decision.action === 'throttle' || decision.action === 'block' || decision.action === 'verify') {
      const throttle = decision.action === 'throttle' ? throttleRequest(this.buckets, this.policy, accountId, decision.campaign_id, nowMs) : undefined;
      const refused = refusalFor(decision, this.policy, throttle);
      if (refused) {
        refusal = new ApiError(refused.status, refused.code === 'rate_limit_exceeded' ? 'rate_limited' : refused.code, refused.message, {
          headers: refused.retry_after_s !== undefined ? { 'retry-after': String(refused.retry_after_s) } : {},
        });
      }
    }
    return { action: decision.action, reason: decision.reason, campaignId: decision.campaign_id, refusal, cohort: decision.cohort ?? null, ttlS: decision.ttl_s };
  }

  degradeRequest(surface: ApiSurface, body: Json, decoySeed: string): Json {
    return degradeRequest(surface, body, this.policy.degrade, decoySeed);
  }

  degradeResponse(surface: ApiSurface, body: Json): Json {
    return this.policy.degrade.strip_reasoning ? stripReasoningFromResponse(surface, body) : body;
  }

  streamRewriter(surface: ApiSurface): StreamRewriter {
    const parse = (data: string): Json | null => {
      try {
        const value: unknown = JSON.parse(data);
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
      } catch {
        return null;
      }
    };
    if (surface === 'anthropic.messages') {
      const scrubber = new AnthropicStreamScrubber();
      return {
        event: (event, data) => {
          const parsed = parse(data);
          if (!parsed) return [{ event, data }];
          return scrubber.event(parsed).map((rewritten): RewrittenEvent => ({ event: typeof rewritten.type === 'string' ? rewritten.type : event, data: JSON.stringify(rewritten) }));
        },
        flush: () => [],
      };
    }
    if (surface === 'openai.chat') {
      const scrubber = new OpenAIChatStreamScrubber();
      return {
        event: (event, data) => {
          const parsed = data === '[DONE]' ? null : parse(data);
          return [{ event, data: parsed ? JSON.stringify(scrubber.chunk(parsed)) : data }];
        },
        flush: () => [],
      };
    }
    // legacy completions: thinking spans cut from the text of each choice
    const filters = new Map<number, ThinkingFilter>();
    return {
      event: (event, data) => {
        const parsed = data === '[DONE]' ? null : parse(data);
        if (!parsed || !Array.isArray(parsed.choices)) return [{ event, data }];
        for (const choice of parsed.choices as Json[]) {
          const index = typeof choice.index === 'number' ? choice.index : 0;
          let filter = filters.get(index);
          if (!filter) filters.set(index, (filter = new ThinkingFilter()));
          if (typeof choice.text === 'string') choice.text = filter.push(choice.text) + (choice.finish_reason ? filter.end() : '');
        }
        return [{ event, data: JSON.stringify(parsed) }];
      },
      flush: () => [],
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Stores pending decision changes on the write thread. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await this.store.writeDecisions(rows);
  }

  private refresh(): void {
    const assessment = this.live.assessment;
    if (assessment === this.seenAssessment) return;
    this.seenAssessment = assessment;
    this.decisions = new Map();
    this.campaignOf = new Map();
    if (assessment) for (const campaign of assessment.campaigns) for (const member of campaign.accounts) this.campaignOf.set(member, campaign.id);
    this.buckets.sweep(Date.now(), rateOfKey(this.policy));
  }

  private note(state: AccountState, decision: Decision, nowMs: number): void {
    const previous = this.lastAction.get(state.accountId) ?? 'observe';
    if (previous === decision.action) return;
    if (decision.action === 'observe') this.lastAction.delete(state.accountId);
    else this.lastAction.set(state.accountId, decision.action);
    this.metrics?.decisions.inc({ action: decision.action });
    this.pending.push({
      ts: new Date(nowMs).toISOString(), accountId: state.accountId, campaignId: decision.campaign_id, action: decision.action,
      verdict: state.verdict, risk: state.risk, reason: decision.reason,
    });
  }
}
