// Where a request's upstream is chosen: the upstream that serves a model, and how the call to it
// differs from the caller's request. The fixed part (the API bridge, the upstream's API and its
// route) is planned once per upstream and surface at start; per request come the watermark the
// answer gets, the body sent upstream and, for a bridged stream, the translator back.
import {
  familyOf,
  isJsonObject,
  type ApiFamily,
  type GatewaySurface,
  type JsonObject,
} from '../core/index.js';
import { ApiError } from './api-error.js';
import type { Enforcement } from './enforcement.js';
import type { Exchange } from './exchange-record.js';
import type { UpstreamConfig } from './gateway-config.js';
import { chatToMessagesRequest, MessagesStreamToChat } from './chat-to-messages.js';
import { ChatStreamToMessages, messagesToChatRequest } from './messages-to-chat.js';
import type { StreamTranslator } from './stream-relay.js';
import type { TracerWatermarks, WatermarkPlan } from './tracer-watermark.js';
import type { UpstreamClient } from './upstream-client.js';

/**
 * Translation between the caller's API and the upstream's: Anthropic clients of OpenAI-compatible
 * upstreams (messages → chat), OpenAI chat clients of Anthropic upstreams (chat → messages).
 */
export type Bridge = 'messages-to-chat' | 'chat-to-messages' | null;

/** How a request of one surface goes to one upstream. */
export interface RoutePlan {
  upstream: UpstreamClient;
  /** The caller's surface, and its family (the format of errors the caller gets). */
  surface: GatewaySurface;
  callerFamily: ApiFamily;
  bridge: Bridge;
  /** The upstream's surface: what is captured, marked and degraded before any translation back. */
  upstreamSurface: GatewaySurface;
  upstreamFamily: ApiFamily;
  /** The path the call is posted to on the upstream. */
  path: string;
  /** Legacy completions to an Anthropic upstream, which has none: refused (400 unsupported_upstream). */
  unsupported: boolean;
}

/** One upstream's plans, by the caller's surface. */
export type UpstreamRoutes = Readonly<Record<GatewaySurface, RoutePlan>>;

function planRoute(upstream: UpstreamClient, surface: GatewaySurface): RoutePlan {
  const upstreamFamily = upstream.config.api;
  const bridge: Bridge =
    surface === 'anthropic.messages' && upstreamFamily === 'openai'
      ? 'messages-to-chat'
      : surface === 'openai.chat' && upstreamFamily === 'anthropic'
        ? 'chat-to-messages'
        : null;
  const upstreamSurface: GatewaySurface =
    bridge === 'messages-to-chat'
      ? 'openai.chat'
      : bridge === 'chat-to-messages'
        ? 'anthropic.messages'
        : surface;
  const route =
    upstreamSurface === 'openai.chat'
      ? '/chat/completions'
      : upstreamSurface === 'openai.completions'
        ? '/completions'
        : '/v1/messages';
  return {
    upstream,
    surface,
    callerFamily: familyOf(surface),
    bridge,
    upstreamSurface,
    upstreamFamily,
    path: upstream.path(route),
    unsupported: surface === 'openai.completions' && upstreamFamily === 'anthropic',
  };
}

/** Every surface's plan to `upstream`. */
export function routesOf(upstream: UpstreamClient): UpstreamRoutes {
  return {
    'openai.chat': planRoute(upstream, 'openai.chat'),
    'openai.completions': planRoute(upstream, 'openai.completions'),
    'anthropic.messages': planRoute(upstream, 'anthropic.messages'),
  };
}

/** Picks the upstream for a model (`match`: the config's first glob that matches) and returns its routes; null when none serves it. */
export function upstreamRouter(
  upstreams: UpstreamClient[],
  match: (model: string) => UpstreamConfig | null,
): (model: string) => UpstreamRoutes | null {
  const byName = new Map(upstreams.map((client) => [client.config.name, routesOf(client)]));
  return (model) => {
    const found = match(model);
    return found ? (byName.get(found.name) ?? null) : null;
  };
}

/**
 * The watermark this answer gets: sampler-side schemes always (the upstream marks); lexical always;
 * selection only for whole (non-streamed) answers of one choice from an OpenAI-format upstream, the
 * only case where `n` candidates can be asked for and one served (docs/provenance.md).
 */
export function watermarkPlan(
  watermarks: TracerWatermarks | null,
  exchange: Exchange,
  plan: RoutePlan,
): WatermarkPlan | null {
  const { admission, body } = exchange;
  if (admission.cohort === null || !watermarks) return null;
  const watermark = watermarks.planFor(plan.upstream.config.name, admission.cohort);
  if (watermark.scheme !== 'selection') return watermark;
  const oneChoice = body.n === undefined || body.n === null || body.n === 1;
  return plan.upstreamFamily === 'openai' && body.stream !== true && oneChoice ? watermark : null;
}

/**
 * The body sent upstream: the client's own bytes, unless degrade rewrites it, a bridge translates
 * it or the selection watermark asks for more candidates.
 */
export function upstreamBody(
  enforcement: Enforcement,
  exchange: Exchange,
  plan: RoutePlan,
  selection: WatermarkPlan | null,
  bytes: Buffer,
): Buffer | string {
  const { admission, body } = exchange;
  const { bridge } = plan;
  const degrade = admission.action === 'degrade';
  if (!degrade && !bridge && !selection) return bytes;
  try {
    let outgoing: JsonObject = degrade
      ? enforcement.degradeRequest(
          exchange.surface,
          structuredClone(body),
          admission.campaignId ?? exchange.caller.accountId,
        )
      : body;
    if (bridge === 'messages-to-chat') outgoing = messagesToChatRequest(outgoing);
    else if (bridge === 'chat-to-messages') outgoing = chatToMessagesRequest(outgoing);
    if (selection) outgoing = { ...outgoing, n: selection.candidates };
    return JSON.stringify(outgoing);
  } catch (error) {
    // JSON nested past V8's stack (JSON.parse takes it, a copy or re-serialisation does not)
    if (error instanceof RangeError)
      throw new ApiError(
        400,
        'invalid_request',
        'The request body is nested too deeply for this gateway to rewrite. Send flatter JSON.',
      );
    throw error;
  }
}

/** The caller's stream from the upstream's, when the APIs differ; null when they agree. */
export function streamTranslator(
  bridge: Bridge,
  body: JsonObject,
  model: string,
): StreamTranslator | null {
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
        if (!isJsonObject(chunk))
          return messages.fail(
            'api_error',
            'The upstream sent a stream event that is not JSON; retry the request.',
          );
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
