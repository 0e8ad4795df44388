// Where an exchange is recorded: the interaction record built from the exchange (the request as
// the client sent it, what was served, the ladder's decision, the watermark), handed to the
// recorder and counted in the metrics.
import {
  formatTimestamp,
  type GatewaySurface,
  type Interaction,
  type InteractionClient,
  type JsonObject,
} from '../core/index.js';
import type { Caller } from './authenticate.js';
import type { Admission, AdmissionAction } from './enforcement.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { InteractionRecorder } from './interaction-recorder.js';
import type { CapturedResponse } from './response-capture.js';
import type { WatermarkPlan } from './tracer-watermark.js';

/** A request and its answer as the gateway handles it; recorded once, as an interaction, when it ends. */
export interface Exchange {
  id: string;
  receivedMs: number;
  caller: Caller;
  surface: GatewaySurface;
  /** The request's model name (checked to be a string). */
  model: string;
  body: JsonObject;
  /** The body as the client sent it (valid JSON): the record embeds it instead of serialising `body` again. */
  bodyText: string;
  client: InteractionClient;
  admission: Admission;
  startedAt: number;
  /** When the call went upstream (performance.now()); 0 before. */
  dispatchedAt: number;
  /** Set when the client closed its connection before the answer was written out (recorded as 499). */
  clientLeft: boolean;
  /** The watermark this answer is served under (its record goes in the interaction: audits filter on it); null for none. */
  watermark: WatermarkPlan | null;
}

/** Where records go. */
export interface ExchangeSink {
  recorder: InteractionRecorder;
  metrics: GatewayMetrics;
}

/** Records the exchange with its answer's status and what was captured of it (null: nothing served). */
export function recordExchange(
  sink: ExchangeSink,
  exchange: Exchange,
  status: number,
  captured: CapturedResponse | null,
): void {
  const response: Interaction['response'] = {
    status,
    latency_ms: Math.round((performance.now() - exchange.startedAt) * 1000) / 1000,
  };
  if (captured) {
    response.text = captured.text;
    if (captured.reasoning) response.reasoning = captured.reasoning;
    if (captured.toolCalls.length > 0) response.tool_calls = captured.toolCalls;
    if (captured.finishReason) response.finish_reason = captured.finishReason;
    // past limits.recorded_text_chars the record keeps the start and says how much it left out
    if (captured.droppedChars > 0) response.dropped_chars = captured.droppedChars;
    const usage: { input_tokens?: number; output_tokens?: number } = {};
    if (captured.inputTokens !== null) usage.input_tokens = captured.inputTokens;
    if (captured.outputTokens !== null) usage.output_tokens = captured.outputTokens;
    response.usage = usage;
  }
  const { admission } = exchange;
  const { action, campaignId } = admission;
  const record: Interaction & {
    decision: { action: AdmissionAction; campaign_id: string | null; reason?: string };
    watermark?: WatermarkPlan['record'];
  } = {
    id: exchange.id,
    ts: formatTimestamp(exchange.receivedMs),
    account_id: exchange.caller.accountId,
    ...(exchange.caller.keyId ? { key_id: exchange.caller.keyId } : {}),
    client: exchange.client,
    api: exchange.surface,
    model: exchange.model,
    request: exchange.body,
    response,
    // every enforced exchange carries the rule's reason; observed ones (nearly all) stay small
    // the reason is read only here: an unflagged account's admission writes it on demand
    decision:
      action === 'observe'
        ? { action, campaign_id: campaignId }
        : { action, campaign_id: campaignId, reason: admission.reason },
    ...(exchange.watermark ? { watermark: exchange.watermark.record } : {}),
  };
  // the request is the bulk of a record: splice in the client's own bytes rather than stringify it again
  const { request: _request, ...rest } = record;
  const head = JSON.stringify(rest);
  sink.recorder.add(
    record,
    exchange.receivedMs,
    `${head.slice(0, -1)},"request":${exchange.bodyText}}`,
  );
  sink.metrics.countRequest(exchange.surface, status, action);
}
