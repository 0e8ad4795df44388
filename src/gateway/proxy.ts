// The request path of a model route: who is calling, what the ladder says, the upstream call
// (bytes passed through untouched unless the ladder or an API bridge must rewrite them), and the
// exchange recorded afterwards, off the response path.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { formatTimestamp, isJsonObject, parseTimestamp, type Interaction, type InteractionClient } from '../core/index.js';
import { ApiError, errorBody, streamErrorEvent, upstreamErrorBody, type ApiFlavor } from './api-error.js';
import { ChatStreamToMessages, chatToMessagesResponse, messagesToChatRequest } from './anthropic-bridge.js';
import { chatToMessagesRequest, messagesToChatResponse, MessagesStreamToChat } from './openai-bridge.js';
import type { AccountConcurrency } from './account-concurrency.js';
import type { Caller, TrustedAccountHeader } from './authenticate.js';
import type { ClientAddressOf } from './client-address.js';
import { closeIfNotTakenWithin } from './client-deadline.js';
import type { ApiKeys } from './api-keys.js';
import type { Admission, Enforcement, LadderAction } from './enforcement.js';
import type { LimitsConfig } from './gateway-config.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { InteractionRecorder } from './interaction-recorder.js';
import { ResponseCapture, type ApiSurface, type CapturedResponse } from './response-capture.js';
import { relayStream, type StreamTranslator } from './stream-relay.js';
import type { UpstreamClient } from './upstream-client.js';
import type { TracerWatermarks, WatermarkPlan } from './tracer-watermark.js';
import { upstreamFailure } from './upstream-client.js';
import { ClientStalledError } from './upstream-call.js';

export const overheadHeader = 'x-distillguard-overhead-ms';
export const requestIdHeader = 'x-distillguard-request-id';
/** Upstreams that mark responses (refmodel with tracer keys) read the cohort from this header. */
export const tracerCohortHeader = 'x-distillguard-tracer-cohort';

export interface ProxyContext {
  keys: ApiKeys;
  /** --trust-account-header with the proxy's secret; null: API keys. */
  trustAccountHeader: TrustedAccountHeader | null;
  /** The client address of a request (the socket peer, or X-Forwarded-For from trusted proxies). */
  clientAddressOf: ClientAddressOf;
  acceptReplayTime: boolean;
  upstreamFor: (model: string) => UpstreamClient | null;
  enforcement: Enforcement;
  recorder: InteractionRecorder;
  metrics: GatewayMetrics;
  /** Tracer watermarks; null when the config has none (the cohort header is then still sent). */
  watermarks: TracerWatermarks | null;
  log: FastifyBaseLogger;
  limits: LimitsConfig;
  /** Requests in flight per account, capped at `limits.concurrent_per_account`. */
  concurrency: AccountConcurrency;
  /** Whether answers carry the x-distillguard-* headers (config `gateway_headers`). */
  gatewayHeaders: boolean;
}

/** A model request as the gateway's own HTTP handler read it (model routes bypass fastify's routing). */
export interface ModelRequest {
  headers: IncomingHttpHeaders;
  /** The peer's address. */
  ip: string;
  /** The whole body, within the size limit. */
  body: Buffer;
  /** Who is calling, authenticated on the headers before the body was read. */
  caller: Caller;
}

type Json = Record<string, unknown>;
const flavorOf = (surface: ApiSurface): ApiFlavor => (surface === 'anthropic.messages' ? 'anthropic' : 'openai');
/**
 * Translation between the caller's API and the upstream's: Anthropic clients of OpenAI-compatible
 * upstreams (messages → chat), OpenAI chat clients of Anthropic upstreams (chat → messages).
 */
type Bridge = 'messages-to-chat' | 'chat-to-messages' | null;
// random (122 bits): an id says nothing about the gateway's request rate (node draws them from a cached pool)
const newRequestId = () => randomUUID();

/** Where the exchange came from: the socket, or (replay only) the simulated client. */
function clientOf(request: ModelRequest, replay: boolean): InteractionClient {
  const client: InteractionClient = { ip: request.ip };
  const userAgent = request.headers['user-agent'];
  if (typeof userAgent === 'string') client.user_agent = userAgent.slice(0, 1000);
  if (replay) {
    const ip = request.headers['x-distillguard-replay-ip'];
    const asn = Number(request.headers['x-distillguard-replay-asn']);
    const country = request.headers['x-distillguard-replay-country'];
    if (typeof ip === 'string' && ip) client.ip = ip;
    if (Number.isInteger(asn) && asn >= 0) client.asn = asn;
    if (typeof country === 'string' && /^[A-Z]{2}$/.test(country)) client.country = country;
  }
  return client;
}

function replayTime(request: ModelRequest): number | null {
  const value = request.headers['x-distillguard-replay-time'];
  if (typeof value !== 'string') return null;
  const parsed = parseTimestamp(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * The upstream's allowlists for the Anthropic headers a client may pass on (config
 * `anthropic_versions`, `anthropic_betas`): a value not listed gets a 400 naming the header.
 */
function checkAnthropicHeaders(upstream: UpstreamClient, version: string | string[] | undefined, beta: string | string[] | undefined): void {
  const { anthropic_versions: versions, anthropic_betas: betas } = upstream.config;
  if (versions && typeof version === 'string' && !versions.includes(version)) {
    throw new ApiError(400, 'invalid_request', `anthropic-version: '${version.slice(0, 64)}' is not accepted here; use one of ${versions.join(', ')}.`, { param: 'anthropic-version' });
  }
  if (betas && typeof beta === 'string') {
    const refused = beta.split(',').map((flag) => flag.trim()).find((flag) => flag.length > 0 && !betas.includes(flag));
    if (refused !== undefined) throw new ApiError(400, 'invalid_request', `anthropic-beta: '${refused.slice(0, 64)}' is not enabled on this gateway.`, { param: 'anthropic-beta' });
  }
}

/** The longest model name accepted: the interaction contract's bound on `model`, so every record stays valid. */
const maxModelNameChars = 200;

/** A 400 naming `param` when the request asks for more than the config's cap. */
function checkCap(body: Json, param: string, cap: number | undefined, what: string): void {
  const value = body[param];
  if (cap !== undefined && typeof value === 'number' && value > cap) {
    throw new ApiError(400, 'invalid_request', `${param}: this gateway allows at most ${cap} ${what} per request. Ask for ${cap} or fewer.`, { param });
  }
}

function parseBody(request: ModelRequest, surface: ApiSurface, limits: LimitsConfig): { body: Json; text: string } {
  const raw = request.body;
  if (raw.length === 0) throw new ApiError(400, 'invalid_json', 'The request body is empty: send a JSON object with Content-Type: application/json.');
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `The request body is not valid JSON (${(error as Error).message}). Send a JSON object.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'invalid_request', 'The request body must be a JSON object.');
  const body = parsed as Json;
  if (typeof body.model !== 'string' || body.model.length === 0) throw new ApiError(400, 'invalid_request', 'model: Field required (a model name string).', { param: 'model' });
  if (body.model.length > maxModelNameChars) throw new ApiError(400, 'invalid_request', `model: at most ${maxModelNameChars} characters (a model name this gateway serves).`, { param: 'model' });
  if (surface === 'anthropic.messages' && typeof body.max_tokens !== 'number') {
    throw new ApiError(400, 'invalid_request', 'max_tokens: Field required (a positive integer).', { param: 'max_tokens' });
  }
  // refused, not clamped: a client asking for more than it gets should know (limits.max_n, limits.max_tokens)
  checkCap(body, 'n', limits.max_n, 'choices');
  checkCap(body, 'best_of', limits.max_n, 'candidates');
  checkCap(body, 'max_tokens', limits.max_tokens, 'tokens');
  checkCap(body, 'max_completion_tokens', limits.max_tokens, 'tokens');
  return { body, text };
}

export function sendApiError(reply: FastifyReply, flavor: ApiFlavor, error: ApiError): void {
  void reply.code(error.status).headers({ 'content-type': 'application/json', ...error.headers }).send(errorBody(flavor, error));
}

/** The same on a raw response (model routes). */
export function writeApiError(response: ServerResponse, flavor: ApiFlavor, error: ApiError): void {
  response.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
  response.end(errorBody(flavor, error));
}

/**
 * The 502 for an upstream answer the gateway had to read and could not: not JSON, not an object, or
 * nested past what it can rewrite; other errors (the gateway's own) are returned as they are.
 */
function unreadableAnswer(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof SyntaxError || error instanceof RangeError) {
    return new ApiError(502, 'upstream_error', 'The model server\'s answer could not be read (not JSON, or nested too deeply). Retry, or report it to the operator.');
  }
  return error;
}

/** The caller's error for a failed upstream call; the details go to the log, once per 10 s per upstream. */
function failedUpstream(context: ProxyContext, upstream: UpstreamClient, error: unknown): ApiError | Error {
  const failure = upstreamFailure(error);
  if (failure instanceof ApiError) {
    const count = upstream.failuresToLog();
    if (count !== null) context.log.warn({ upstream: upstream.config.name, failures: count, err: error }, `upstream '${upstream.config.name}' failed: ${(error as Error).message}`);
  }
  return failure;
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(500, 'internal_error', 'The gateway failed on this request; it has been logged. Retry, and report it if it persists.');
}

interface Exchange {
  id: string;
  receivedMs: number;
  caller: Caller;
  surface: ApiSurface;
  body: Json;
  /** The body as the client sent it (valid JSON): the record embeds it instead of serialising `body` again. */
  bodyText: string;
  client: InteractionClient;
  admission: Admission;
  startedAt: number;
  /** The watermark this answer was served under, for the record (audits filter on it). */
  watermark?: WatermarkPlan['record'];
}

function recordExchange(context: ProxyContext, exchange: Exchange, status: number, captured: CapturedResponse | null): void {
  const response: Interaction['response'] = { status, latency_ms: Math.round((performance.now() - exchange.startedAt) * 1000) / 1000 };
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
  const record: Interaction & { decision: { action: LadderAction; campaign_id: string | null; reason?: string }; watermark?: WatermarkPlan['record'] } = {
    id: exchange.id,
    ts: formatTimestamp(exchange.receivedMs),
    account_id: exchange.caller.accountId,
    ...(exchange.caller.keyId ? { key_id: exchange.caller.keyId } : {}),
    client: exchange.client,
    api: exchange.surface,
    model: String(exchange.body.model),
    request: exchange.body,
    response,
    // every enforced exchange carries the rule's reason; observed ones (nearly all) stay small
    // the reason is read only here: an unflagged account's admission writes it on demand
    decision: action === 'observe' ? { action, campaign_id: campaignId } : { action, campaign_id: campaignId, reason: admission.reason },
    ...(exchange.watermark ? { watermark: exchange.watermark } : {}),
  };
  // the request is the bulk of a record: splice in the client's own bytes rather than stringify it again
  const { request: _request, ...rest } = record;
  const head = JSON.stringify(rest);
  context.recorder.add(record, exchange.receivedMs, `${head.slice(0, -1)},"request":${exchange.bodyText}}`);
  context.metrics.countRequest(exchange.surface, status, action);
}

/** The caller's stream from the upstream's, when the APIs differ; null when they agree. */
function streamTranslator(bridge: Bridge, body: Json): StreamTranslator | null {
  const model = String(body.model);
  if (bridge === 'messages-to-chat') {
    const messages = new ChatStreamToMessages(model);
    return {
      event: (_eventName, data) => {
        if (data === '[DONE]') return '';
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch {
          chunk = null;
        }
        if (!isJsonObject(chunk)) return messages.fail('api_error', 'The upstream sent a stream event that is not JSON; retry the request.');
        return messages.chunk(chunk);
      },
      end: () => messages.end(),
    };
  }
  if (bridge === 'chat-to-messages') {
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    const chat = new MessagesStreamToChat(model, streamOptions?.include_usage === true);
    return { event: (eventName, data) => chat.event(eventName, data), end: () => chat.end() };
  }
  return null;
}

/** Handles one model request end to end; never throws. */
export async function handleModelRequest(context: ProxyContext, surface: ApiSurface, request: ModelRequest, response: ServerResponse, startedAt: number): Promise<void> {
  const flavor = flavorOf(surface);
  const { caller } = request;
  let body: Json;
  let bodyText: string;
  try {
    ({ body, text: bodyText } = parseBody(request, surface, context.limits));
  } catch (error) {
    const apiError = asApiError(error);
    if (apiError.status >= 500) context.log.error({ err: error }, 'request failed before the upstream');
    context.metrics.countRequest(surface, apiError.status, 'none');
    writeApiError(response, flavor, apiError);
    return;
  }
  const replayed = context.acceptReplayTime ? replayTime(request) : null;
  const replayId = context.acceptReplayTime ? request.headers['x-distillguard-replay-id'] : undefined;
  const admission = context.enforcement.admit(caller.accountId, Date.now());
  const exchange: Exchange = {
    id: typeof replayId === 'string' && replayId ? replayId : newRequestId(),
    receivedMs: replayed ?? Date.now(),
    caller, surface, body, bodyText, admission, startedAt,
    client: clientOf(request, context.acceptReplayTime),
  };
  if (context.gatewayHeaders) response.setHeader(requestIdHeader, exchange.id);
  if (admission.refusal) {
    recordExchange(context, exchange, admission.refusal.status, null);
    writeApiError(response, flavor, admission.refusal);
    return;
  }
  const upstream = context.upstreamFor(String(body.model));
  if (!upstream) {
    const error = new ApiError(404, 'not_found', `The model '${String(body.model)}' is not served by this gateway. List models with GET /v1/models.`, { param: 'model' });
    recordExchange(context, exchange, 404, null);
    writeApiError(response, flavor, error);
    return;
  }
  const bridge: Bridge = surface === 'anthropic.messages' && upstream.config.api === 'openai' ? 'messages-to-chat'
    : surface === 'openai.chat' && upstream.config.api === 'anthropic' ? 'chat-to-messages' : null;
  if (surface === 'openai.completions' && upstream.config.api === 'anthropic') {
    const error = new ApiError(400, 'unsupported_upstream', `The model '${String(body.model)}' is served by an Anthropic upstream, which has no legacy completions: call it through POST /v1/chat/completions or POST /v1/messages.`, { param: 'model' });
    recordExchange(context, exchange, 400, null);
    writeApiError(response, flavor, error);
    return;
  }
  const accountId = caller.accountId;
  if (!context.concurrency.enter(accountId)) {
    const error = new ApiError(429, 'too_many_in_flight', `This account already has ${context.concurrency.limit} requests in flight, the most this gateway serves at once for one account. Wait for one to finish, then retry.`, { headers: { 'retry-after': '1' } });
    recordExchange(context, exchange, 429, null);
    writeApiError(response, flavor, error);
    return;
  }
  try {
    await relay(context, exchange, upstream, bridge, request, response);
  } catch (error) {
    const apiError = asApiError(error);
    if (apiError.status >= 500 && apiError.code === 'internal_error') context.log.error({ err: error }, 'gateway failure');
    recordExchange(context, exchange, apiError.status, null);
    if (!response.headersSent) writeApiError(response, flavor, apiError);
    else response.destroy();
  } finally {
    context.concurrency.leave(accountId);
  }
}

/**
 * The watermark this answer gets: sampler-side schemes always (the upstream marks); lexical always;
 * selection only for whole (non-streamed) answers of one choice from an OpenAI-format upstream, the
 * only case where `n` candidates can be asked for and one served (docs/provenance.md).
 */
function watermarkPlan(context: ProxyContext, exchange: Exchange, upstream: UpstreamClient, bridge: Bridge): WatermarkPlan | null {
  const { admission, body } = exchange;
  if (admission.cohort === null || !context.watermarks) return null;
  const plan = context.watermarks.planFor(upstream.config.name, admission.cohort);
  if (plan.scheme !== 'selection') return plan;
  const openaiUpstream = upstream.config.api === 'openai' && (bridge !== null || exchange.surface !== 'anthropic.messages');
  const oneChoice = body.n === undefined || body.n === null || body.n === 1;
  return openaiUpstream && body.stream !== true && oneChoice ? plan : null;
}

async function relay(context: ProxyContext, exchange: Exchange, upstream: UpstreamClient, bridge: Bridge, request: ModelRequest, raw: ServerResponse): Promise<void> {
  const { surface, body, admission } = exchange;
  const flavor = flavorOf(surface);
  const degrade = admission.action === 'degrade';
  // the upstream's format: what is captured, marked and degraded before any translation back
  const captureSurface: ApiSurface = bridge === 'messages-to-chat' ? 'openai.chat' : bridge === 'chat-to-messages' ? 'anthropic.messages' : surface;
  const plan = watermarkPlan(context, exchange, upstream, bridge);
  if (plan) exchange.watermark = plan.record;
  const selection = plan?.scheme === 'selection' ? plan : null;
  const lexical = plan?.scheme === 'lexical' ? plan : null;
  let bytes: Buffer | string = request.body;
  if (degrade || bridge || selection) {
    try {
      let outgoing: Json = degrade ? context.enforcement.degradeRequest(surface, structuredClone(body), admission.campaignId ?? exchange.caller.accountId) : body;
      if (bridge === 'messages-to-chat') outgoing = messagesToChatRequest(outgoing);
      else if (bridge === 'chat-to-messages') outgoing = chatToMessagesRequest(outgoing);
      if (selection) outgoing = { ...outgoing, n: selection.candidates };
      bytes = JSON.stringify(outgoing);
    } catch (error) {
      // JSON nested past V8's stack (JSON.parse takes it, a copy or re-serialisation does not)
      if (error instanceof RangeError) throw new ApiError(400, 'invalid_request', 'The request body is nested too deeply for this gateway to rewrite. Send flatter JSON.');
      throw error;
    }
  }
  const route = captureSurface === 'openai.chat' ? '/chat/completions' : captureSurface === 'openai.completions' ? '/completions' : '/v1/messages';
  const extraHeaders: Record<string, string> = {};
  // the upstream learns the cohort only when it marks (sampler-side), or when no watermark is configured
  if (admission.cohort !== null && (!context.watermarks || plan?.samplerSide)) extraHeaders[tracerCohortHeader] = String(admission.cohort);
  const anthropicVersion = request.headers['anthropic-version'];
  const anthropicBeta = request.headers['anthropic-beta'];
  if (upstream.config.api === 'anthropic') checkAnthropicHeaders(upstream, anthropicVersion, anthropicBeta);
  const dispatchedAt = performance.now();
  const call = upstream.call(upstream.path(route), bytes, {
    extraHeaders,
    anthropicVersion: typeof anthropicVersion === 'string' ? anthropicVersion : undefined,
    anthropicBeta: typeof anthropicBeta === 'string' ? anthropicBeta : undefined,
  });
  let clientLeft = false;
  raw.on('close', () => {
    if (raw.writableFinished) return;
    clientLeft = true;
    call.abort();
  });
  let head;
  try {
    head = await call.head;
  } catch (error) {
    // the client left before the upstream answered: recorded as 499, not a gateway failure
    if (clientLeft) {
      recordExchange(context, exchange, 499, null);
      return;
    }
    throw failedUpstream(context, upstream, error);
  }
  const headersAt = performance.now();
  const contentType = String(head.headers['content-type'] ?? 'application/json');
  const streaming = body.stream === true && head.status < 300 && contentType.includes('text/event-stream');
  const capture = new ResponseCapture(captureSurface, context.limits.recorded_text_chars);
  const observe = (seconds: number) => context.metrics.observeUpstream(surface, seconds);

  if (!streaming) {
    let payload: Buffer;
    try {
      await call.finished;
      payload = call.body();
    } catch (error) {
      if (clientLeft) {
        recordExchange(context, exchange, 499, null);
        return;
      }
      throw failedUpstream(context, upstream, error);
    }
    const doneAt = performance.now();
    observe((doneAt - dispatchedAt) / 1000);
    let captured = false;
    const upstreamFlavor: ApiFlavor = upstream.config.api;
    if (head.status >= 400) payload = upstreamErrorBody(flavor, upstreamFlavor, head.status, payload);
    else if (bridge || degrade || selection || lexical) {
      try {
        let json = JSON.parse(payload.toString('utf8')) as unknown;
        if (!isJsonObject(json)) throw new SyntaxError('not a JSON object');
        if (selection) json = selection.select(captureSurface, json);
        if (lexical) json = lexical.markBody(captureSurface, json as Json);
        capture.fromBody(json); // what was served (marked), for audits
        captured = true;
        if (degrade) json = context.enforcement.degradeResponse(captureSurface, json as Json);
        if (bridge === 'messages-to-chat') json = chatToMessagesResponse(json as Json, String(body.model));
        else if (bridge === 'chat-to-messages') json = messagesToChatResponse(json as Json, String(body.model));
        payload = Buffer.from(JSON.stringify(json));
      } catch (error) {
        throw unreadableAnswer(error);
      }
    }
    const overheadMs = dispatchedAt - exchange.startedAt + (performance.now() - doneAt);
    context.metrics.observeOverhead(surface, overheadMs / 1000);
    const headers: Record<string, string> = { 'content-type': head.status >= 400 ? 'application/json' : contentType };
    if (context.gatewayHeaders) headers[overheadHeader] = overheadMs.toFixed(3);
    // an upstream's own 429 or 503 says when to come back; the caller's client honours it
    const retryAfter = head.status >= 400 ? head.headers['retry-after'] : undefined;
    if (typeof retryAfter === 'string') headers['retry-after'] = retryAfter;
    raw.writeHead(head.status, headers);
    raw.end(payload);
    closeIfNotTakenWithin(raw, context.limits.client_stall_ms);
    setImmediate(() => {
      if (!captured && head.status < 400) {
        try {
          capture.fromBody(JSON.parse(payload.toString('utf8')));
        } catch {
          // an upstream that is not JSON: the exchange is still recorded, without text
        }
      }
      recordExchange(context, exchange, head.status, head.status < 400 ? capture.result() : null);
    });
    return;
  }

  const overheadMs = dispatchedAt - exchange.startedAt + (performance.now() - headersAt);
  context.metrics.observeOverhead(surface, overheadMs / 1000);
  const streamHeaders: Record<string, string> = { 'content-type': bridge ? 'text/event-stream; charset=utf-8' : contentType, 'cache-control': 'no-cache' };
  if (context.gatewayHeaders) streamHeaders[overheadHeader] = overheadMs.toFixed(3);
  raw.writeHead(200, streamHeaders);
  let status = 200;
  try {
    await relayStream({
      call, raw, capture,
      marker: lexical ? lexical.streamMarker(captureSurface) : null,
      rewriter: degrade ? context.enforcement.streamRewriter(captureSurface) : null,
      translator: streamTranslator(bridge, body),
      maxEventChars: context.limits.stream_event_chars,
    });
    closeIfNotTakenWithin(raw, context.limits.client_stall_ms);
  } catch (error) {
    // a client that stopped reading was cut at the stall limit: recorded as one that left
    status = clientLeft || error instanceof ClientStalledError ? 499 : 502;
    const decided = status === 499 ? null : unreadableAnswer(error);
    if (status === 499) raw.destroy();
    else if (decided instanceof ApiError) {
      // a failure the gateway decided (an oversized or unreadable event): said in the caller's format, then ended
      raw.end(streamErrorEvent(flavor, decided));
      closeIfNotTakenWithin(raw, context.limits.client_stall_ms);
    } else {
      context.log.warn({ err: error }, 'upstream stream failed midway');
      raw.destroy();
    }
  }
  observe((performance.now() - dispatchedAt) / 1000);
  recordExchange(context, exchange, status, capture.result());
}
