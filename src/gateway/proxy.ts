// The request path of a model route, end to end: the body checked, who is calling and what the
// ladder says, the upstream chosen (route-plan.ts), the call dispatched, and the answer handed to
// the whole-body or the stream relay; every way it ends is recorded (exchange-record.ts).
import type { ServerResponse } from 'node:http';
import {
  familyOf,
  requestIdHeader,
  tracerCohortHeader,
  type GatewaySurface,
} from '../core/index.js';
import { ApiError, asApiError, writeApiError } from './api-error.js';
import { recordExchange, type Exchange } from './exchange-record.js';
import type { ModelRequest, ProxyContext } from './proxy-context.js';
import { checkAnthropicHeaders, parseBody, type CheckedBody } from './request-checks.js';
import { clientOf, exchangeIdOf, receivedAtOf } from './request-identity.js';
import { upstreamBody, watermarkPlan, type RoutePlan } from './route-plan.js';
import { relayStreamedAnswer } from './stream-relay.js';
import type { UpstreamCall } from './upstream-call.js';
import { loggedUpstreamFailure } from './upstream-client.js';
import { relayWholeBody } from './whole-body-relay.js';

/** Handles one model request end to end; never throws. */
export async function handleModelRequest(
  context: ProxyContext,
  surface: GatewaySurface,
  request: ModelRequest,
  response: ServerResponse,
  startedAt: number,
): Promise<void> {
  const family = familyOf(surface);
  const { caller } = request;
  let checked: CheckedBody;
  try {
    checked = parseBody(request, surface, context.limits);
  } catch (error) {
    const apiError = asApiError(error);
    if (apiError.status >= 500)
      context.log.error({ err: error }, 'request failed before the upstream');
    context.metrics.countRequest(surface, apiError.status, 'none');
    writeApiError(response, family, apiError);
    return;
  }
  const { model } = checked;
  const replay = context.acceptReplayTime;
  const admitted = context.enforcement.admit(caller.accountId, Date.now());
  const admission = admitted instanceof Promise ? await admitted : admitted;
  const exchange: Exchange = {
    id: exchangeIdOf(request, replay),
    receivedMs: receivedAtOf(request, replay),
    caller,
    surface,
    model,
    body: checked.body,
    bodyText: checked.text,
    admission,
    startedAt,
    dispatchedAt: 0,
    clientLeft: false,
    watermark: null,
    client: clientOf(request, replay),
  };
  if (context.gatewayHeaders) response.setHeader(requestIdHeader, exchange.id);
  if (admission.refusal) {
    recordExchange(context, exchange, admission.refusal.status, null);
    writeApiError(response, family, admission.refusal);
    return;
  }
  const plan = context.routesFor(model)?.[surface];
  if (!plan) {
    const error = new ApiError(
      404,
      'not_found',
      `The model '${model}' is not served by this gateway. List models with GET /v1/models.`,
      { param: 'model' },
    );
    recordExchange(context, exchange, 404, null);
    writeApiError(response, family, error);
    return;
  }
  if (plan.unsupported) {
    const error = new ApiError(
      400,
      'unsupported_upstream',
      `The model '${model}' is served by an Anthropic upstream, which has no legacy completions: call it through POST /v1/chat/completions or POST /v1/messages.`,
      { param: 'model' },
    );
    recordExchange(context, exchange, 400, null);
    writeApiError(response, family, error);
    return;
  }
  const accountId = caller.accountId;
  if (!context.concurrency.enter(accountId)) {
    const error = new ApiError(
      429,
      'too_many_in_flight',
      `This account already has ${context.concurrency.limit} requests in flight, the most this gateway serves at once for one account. Wait for one to finish, then retry.`,
      { headers: { 'retry-after': '1' } },
    );
    recordExchange(context, exchange, 429, null);
    writeApiError(response, family, error);
    return;
  }
  try {
    const call = dispatch(context, exchange, plan, request, response);
    let head;
    try {
      head = await call.head;
    } catch (error) {
      // the client left before the upstream answered: recorded as 499, not a gateway failure
      if (exchange.clientLeft) {
        recordExchange(context, exchange, 499, null);
        return;
      }
      throw loggedUpstreamFailure(plan.upstream, error, context.log);
    }
    const headersAt = performance.now();
    const contentType = String(head.headers['content-type'] ?? 'application/json');
    const streaming =
      exchange.body.stream === true &&
      head.status < 300 &&
      contentType.includes('text/event-stream');
    if (streaming)
      await relayStreamedAnswer(context, exchange, plan, call, head, response, headersAt);
    else await relayWholeBody(context, exchange, plan, call, head, contentType, response);
  } catch (error) {
    const apiError = asApiError(error);
    if (apiError.status >= 500 && apiError.code === 'internal_error')
      context.log.error({ err: error }, 'gateway failure');
    recordExchange(context, exchange, apiError.status, null);
    if (!response.headersSent) writeApiError(response, family, apiError);
    else response.destroy();
  } finally {
    context.concurrency.leave(accountId);
  }
}

/**
 * Sends the request upstream as the plan says (the watermark chosen, the body rewritten where it
 * must be, the cohort header); the call is aborted if the client leaves before the answer is out.
 */
function dispatch(
  context: ProxyContext,
  exchange: Exchange,
  plan: RoutePlan,
  request: ModelRequest,
  raw: ServerResponse,
): UpstreamCall {
  const { admission } = exchange;
  const { upstream } = plan;
  const watermark = watermarkPlan(context.watermarks, exchange, plan);
  exchange.watermark = watermark;
  const bytes = upstreamBody(
    context.enforcement,
    exchange,
    plan,
    watermark?.scheme === 'selection' ? watermark : null,
    request.body,
  );
  const extraHeaders: Record<string, string> = {};
  // the upstream learns the cohort only when it marks (sampler-side), or when no watermark is configured
  if (admission.cohort !== null && (!context.watermarks || watermark?.samplerSide))
    extraHeaders[tracerCohortHeader] = String(admission.cohort);
  const anthropicVersion = request.headers['anthropic-version'];
  const anthropicBeta = request.headers['anthropic-beta'];
  if (plan.upstreamFamily === 'anthropic')
    checkAnthropicHeaders(upstream, anthropicVersion, anthropicBeta);
  exchange.dispatchedAt = performance.now();
  const call = upstream.call(plan.path, bytes, {
    extraHeaders,
    anthropicVersion: typeof anthropicVersion === 'string' ? anthropicVersion : undefined,
    anthropicBeta: typeof anthropicBeta === 'string' ? anthropicBeta : undefined,
  });
  raw.on('close', () => {
    if (raw.writableFinished) return;
    exchange.clientLeft = true;
    call.abort();
  });
  return call;
}
