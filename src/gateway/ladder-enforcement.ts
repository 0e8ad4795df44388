// The response ladder at the gateway: reads the live assessment, asks respond/ for the account's
// decision (campaigns act as a whole), takes throttle tokens, and stores every change of decision
// with its reason. Decisions are cached per account until the next assessment or their expiry,
// except for accounts detection has not flagged: those share one decision and cache nothing, so
// ordinary traffic over many accounts leaves no per-account garbage to outlive the young generation.
// A store that rejects decision writes never ends the process: the rows wait (bounded) and are retried.
import type { LiveAssessment } from '../detect/index.js';
import type { LiveDetection } from './live-detection.js';
import {
  AnthropicStreamScrubber,
  MemoryCounterStore,
  memoryCounters,
  OpenAIChatStreamScrubber,
  ThinkingFilter,
  decide,
  degradeRequest,
  rateOfKey,
  refusalFor,
  stripReasoningFromResponse,
  throttleRequest,
  unflaggedAccount,
  type AccountState,
  type Counters,
  type Decision,
  type PolicyConfig,
  type ThrottleResult,
} from '../respond/index.js';
import type { DecisionRow, Store } from '../store/index.js';
import { ApiError } from './api-error.js';
import type {
  Admission,
  DecisionWriteHealth,
  Enforcement,
  RewrittenEvent,
  StreamRewriter,
} from './enforcement.js';
import { FailureEpisode, type BackgroundLog } from './failure-episode.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { isJsonObject, type GatewaySurface, type JsonObject } from '../core/index.js';

/** How long an unflagged account's decision holds, when the policy observes such accounts without a tracer cohort; null otherwise (then each account is decided on its own). */
function unflaggedTtlS(policy: PolicyConfig): number | null {
  const decision = decide(unflaggedAccount(''), policy, 0);
  return decision.action === 'observe' && decision.cohort === undefined ? decision.ttl_s : null;
}

/** An unflagged account's admission: shared fields, and the reason written only when someone reads it (the sidecar's answer). */
class UnflaggedAdmission implements Admission {
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
    return decide(unflaggedAccount(this.accountId), this.policy, this.nowMs).reason;
  }
}

/** What the ladder reads of live detection (`isStale` only matters with `onDetectorFailure: 'closed'`). */
export type LiveView = Pick<LiveDetection, 'account' | 'campaign' | 'assessment'> &
  Partial<Pick<LiveDetection, 'isStale'>>;

/** What an account detection has not assessed gets while detection is down or stale. */
export type DetectorFailureMode = 'open' | 'closed';

export interface LadderOptions {
  /** How often changed decisions are written, in ms (default 1 s). */
  flushEveryMs?: number;
  /** Decisions kept while the store rejects them; past it the oldest are dropped and counted (default 10,000). */
  maxPendingDecisions?: number;
  log?: BackgroundLog;
  /** open (default): served and recorded as observed; closed: refused with 503 and Retry-After until detection is back. */
  onDetectorFailure?: DetectorFailureMode;
  /** Where throttle buckets live (config `counters`); in this process when absent. */
  counters?: Counters;
}

const defaultMaxPendingDecisions = 10_000;
const failClosedRetryAfterS = 5;

/** The answer for an account detection has not assessed while it is down, with on_detector_failure closed. */
const failClosedAdmission: Admission = {
  action: 'fail_closed',
  reason:
    'live detection is down or behind and this account has no assessment (detection.on_detector_failure: closed)',
  campaignId: null,
  refusal: new ApiError(
    503,
    'detector_unavailable',
    'The gateway cannot assess this account right now. Retry after the number of seconds in the Retry-After header.',
    {
      headers: { 'retry-after': String(failClosedRetryAfterS) },
    },
  ),
  cohort: null,
  ttlS: failClosedRetryAfterS,
};

export class LadderEnforcement implements Enforcement {
  private readonly live: LiveView;
  private readonly store: Store;
  private readonly policy: PolicyConfig;
  private readonly metrics: GatewayMetrics | null;
  private readonly counters: Counters;
  private readonly timer: NodeJS.Timeout;
  private seenAssessment: LiveAssessment | null = null;
  private campaignOf = new Map<string, string>();
  private decisions = new Map<string, Decision>();
  /** The decision's ttl for an account with no verdict, no risk and no campaign, when the ladder plainly observes it; null when it does not. */
  private readonly unflaggedTtlS: number | null;
  /** Last action recorded per account: only changes are stored. */
  private readonly lastAction = new Map<string, string>();
  private pending: DecisionRow[] = [];
  private flushing: Promise<void> | null = null;
  private readonly writes = new FailureEpisode();
  private dropped = 0;
  private readonly options: LadderOptions;
  private readonly failClosed: boolean;

  constructor(
    live: LiveView,
    store: Store,
    policy: PolicyConfig,
    metrics: GatewayMetrics | null = null,
    options: LadderOptions = {},
  ) {
    this.live = live;
    this.store = store;
    this.policy = policy;
    this.metrics = metrics;
    this.options = options;
    this.failClosed = options.onDetectorFailure === 'closed';
    this.counters = options.counters ?? memoryCounters();
    this.unflaggedTtlS = unflaggedTtlS(policy);
    this.timer = setInterval(() => {
      this.flush().catch((error: unknown) =>
        this.options.log?.error({ err: error }, 'storing decisions failed'),
      );
    }, options.flushEveryMs ?? 1_000);
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
      campaign: campaign
        ? {
            id: campaign.id,
            verdict: campaign.verdict,
            risk: campaign.risk,
            accounts: campaign.accounts.length,
          }
        : null,
    };
  }

  admit(accountId: string, nowMs: number): Admission | Promise<Admission> {
    this.refresh();
    const unflagged =
      !this.lastAction.has(accountId) &&
      !this.campaignOf.has(accountId) &&
      this.live.account(accountId) === undefined;
    // accounts already flagged keep their action from the last assessment, whatever the mode
    if (unflagged && this.failClosed && this.live.isStale?.(nowMs)) return failClosedAdmission;
    if (unflagged && this.unflaggedTtlS !== null)
      return new UnflaggedAdmission(accountId, this.unflaggedTtlS, this.policy, nowMs);
    let decision = this.decisions.get(accountId);
    if (!decision || decision.expires_at_ms <= nowMs) {
      const state = this.stateOf(accountId);
      decision = decide(state, this.policy, nowMs);
      this.decisions.set(accountId, decision);
      this.note(state, decision, nowMs);
    }
    if (decision.action === 'throttle') {
      const throttle = throttleRequest(
        this.counters.store,
        this.policy,
        accountId,
        decision.campaign_id,
        nowMs,
      );
      const admitted = decision;
      return throttle instanceof Promise
        ? throttle.then((result) => this.admission(admitted, result))
        : this.admission(decision, throttle);
    }
    return this.admission(decision, undefined);
  }

  /** The admission for a decision, refused where the ladder says (and where the buckets are empty). */
  private admission(decision: Decision, throttle: ThrottleResult | undefined): Admission {
    let refusal: ApiError | null = null;
    if (
      decision.action === 'throttle' ||
      decision.action === 'block' ||
      decision.action === 'verify'
    ) {
      const refused = refusalFor(decision, this.policy, throttle);
      if (refused) {
        refusal = new ApiError(
          refused.status,
          refused.code === 'rate_limit_exceeded' ? 'rate_limited' : refused.code,
          refused.message,
          {
            headers:
              refused.retry_after_s !== undefined
                ? { 'retry-after': String(refused.retry_after_s) }
                : {},
          },
        );
      }
    }
    return {
      action: decision.action,
      reason: decision.reason,
      campaignId: decision.campaign_id,
      refusal,
      cohort: decision.cohort ?? null,
      ttlS: decision.ttl_s,
    };
  }

  degradeRequest(surface: GatewaySurface, body: JsonObject, decoySeed: string): JsonObject {
    return degradeRequest(surface, body, this.policy.degrade, decoySeed);
  }

  degradeResponse(surface: GatewaySurface, body: JsonObject): JsonObject {
    return this.policy.degrade.strip_reasoning ? stripReasoningFromResponse(surface, body) : body;
  }

  streamRewriter(surface: GatewaySurface): StreamRewriter {
    const parse = (data: string): JsonObject | null => {
      try {
        const value: unknown = JSON.parse(data);
        return isJsonObject(value) ? value : null;
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
          return scrubber.event(parsed).map((rewritten): RewrittenEvent => ({
            event: typeof rewritten.type === 'string' ? rewritten.type : event,
            data: JSON.stringify(rewritten),
          }));
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
        for (const choice of parsed.choices as JsonObject[]) {
          const index = typeof choice.index === 'number' ? choice.index : 0;
          let filter = filters.get(index);
          if (!filter) filters.set(index, (filter = new ThinkingFilter()));
          if (typeof choice.text === 'string')
            choice.text = filter.push(choice.text) + (choice.finish_reason ? filter.end() : '');
        }
        return [{ event, data: JSON.stringify(parsed) }];
      },
      flush: () => [],
    };
  }

  /** Stores what is pending, once more; logs what it could not store. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
    if (this.pending.length > 0 || this.dropped > 0) {
      this.options.log?.error(
        { unstored: this.pending.length, dropped: this.dropped, reason: this.writes.reason },
        'decisions that could not be stored are lost on this stop',
      );
    }
  }

  /**
   * Stores pending decision changes on the write thread, one write at a time. Never rejects: when
   * the store refuses, the rows wait for the next flush (the oldest dropped past the bound, and
   * counted), and the failure is logged once per episode.
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.length === 0) return Promise.resolve();
    const rows = this.pending;
    this.pending = [];
    const write = this.store.writeDecisions(rows).then(
      () => {
        const ended = this.writes.recover();
        if (ended)
          this.options.log?.info(
            { failures: ended.failures, lastedMs: ended.lastedMs, dropped: this.dropped },
            'decisions are stored again',
          );
      },
      (error: unknown) => {
        this.pending = rows.concat(this.pending);
        const bound = this.options.maxPendingDecisions ?? defaultMaxPendingDecisions;
        if (this.pending.length > bound) {
          const over = this.pending.length - bound;
          this.pending.splice(0, over);
          this.dropped += over;
        }
        if (this.writes.fail(error instanceof Error ? error.message : String(error))) {
          this.options.log?.error(
            { err: error, pending: this.pending.length, bound },
            'storing decisions failed; they wait (the oldest dropped past the bound) and are retried every second',
          );
        }
      },
    );
    this.flushing = write.finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  health(): DecisionWriteHealth {
    return {
      writable: !this.writes.failing,
      reason: this.writes.reason,
      since: this.writes.since,
      pending: this.pending.length,
      dropped: this.dropped,
    };
  }

  decisionHealth(): DecisionWriteHealth {
    return this.health();
  }

  private refresh(): void {
    const assessment = this.live.assessment;
    if (assessment === this.seenAssessment) return;
    this.seenAssessment = assessment;
    this.decisions = new Map();
    this.campaignOf = new Map();
    if (assessment)
      for (const campaign of assessment.campaigns)
        for (const member of campaign.accounts) this.campaignOf.set(member, campaign.id);
    // shared buckets expire in Redis; this process's own are swept here
    if (this.counters.store instanceof MemoryCounterStore)
      this.counters.store.sweep(Date.now(), rateOfKey(this.policy));
  }

  private note(state: AccountState, decision: Decision, nowMs: number): void {
    const previous = this.lastAction.get(state.accountId) ?? 'observe';
    if (previous === decision.action) return;
    if (decision.action === 'observe') this.lastAction.delete(state.accountId);
    else this.lastAction.set(state.accountId, decision.action);
    this.metrics?.decisions.inc({ action: decision.action });
    this.pending.push({
      ts: new Date(nowMs).toISOString(),
      accountId: state.accountId,
      campaignId: decision.campaign_id,
      action: decision.action,
      verdict: state.verdict,
      risk: state.risk,
      reason: decision.reason,
    });
  }
}
