// The whole-body relay: a non-streamed answer collected in full, then passed through as it came,
// or read and rewritten where it must be (a tracer watermark, degrade, an API bridge, an upstream
// error in the other family's format), written out in one piece, and recorded off the response path.
import type { ServerResponse } from 'node:http';
import { isJsonObject, overheadHeader, type JsonObject } from '../core/index.js';
import { unreadableAnswer, upstreamErrorBody } from './api-error.js';
import { chatToMessagesResponse } from './messages-to-chat.js';
import { messagesToChatResponse } from './chat-to-messages.js';
import { closeIfNotTakenWithin } from './client-deadline.js';
import { recordExchange, type Exchange } from './exchange-record.js';
import type { ProxyContext } from './proxy-context.js';
import { ResponseCapture } from './response-capture.js';
import type { RoutePlan } from './route-plan.js';
import type { UpstreamCall, UpstreamHead } from './upstream-call.js';
import { loggedUpstreamFailure } from './upstream-client.js';

/**
 * Collects the answer whose head has come, writes it to the client and records the exchange.
 * Rejects with the caller's error when the upstream fails or its answer cannot be read; a client
 * that left is recorded as 499.
 */
export async function relayWholeBody(
  context: ProxyContext,
  exchange: Exchange,
  plan: RoutePlan,
  call: UpstreamCall,
  head: UpstreamHead,
  contentType: string,
  raw: ServerResponse,
): Promise<void> {
  const { surface, watermark, dispatchedAt } = exchange;
  const { bridge, upstreamSurface } = plan;
  const degrade = exchange.admission.action === 'degrade';
  const selection = watermark?.scheme === 'selection' ? watermark : null;
  const lexical = watermark?.scheme === 'lexical' ? watermark : null;
  const capture = new ResponseCapture(upstreamSurface, context.limits.recorded_text_chars);
  let payload: Buffer;
  try {
    await call.finished;
    payload = call.body();
  } catch (error) {
    if (exchange.clientLeft) {
      recordExchange(context, exchange, 499, null);
      return;
    }
    throw loggedUpstreamFailure(plan.upstream, error, context.log);
  }
  const doneAt = performance.now();
  context.metrics.observeUpstream(surface, (doneAt - dispatchedAt) / 1000);
  let captured = false;
  if (head.status >= 400)
    payload = upstreamErrorBody(plan.callerFamily, plan.upstreamFamily, head.status, payload);
  else if (bridge || degrade || selection || lexical) {
    try {
      const parsed: unknown = JSON.parse(payload.toString('utf8'));
      if (!isJsonObject(parsed)) throw new SyntaxError('not a JSON object');
      let json: JsonObject = parsed;
      if (selection) json = selection.select(upstreamSurface, json);
      if (lexical) json = lexical.markBody(upstreamSurface, json);
      capture.fromBody(json); // what was served (marked), for audits
      captured = true;
      if (degrade) json = context.enforcement.degradeResponse(upstreamSurface, json);
      if (bridge === 'messages-to-chat') json = chatToMessagesResponse(json, exchange.model);
      else if (bridge === 'chat-to-messages') json = messagesToChatResponse(json, exchange.model);
      payload = Buffer.from(JSON.stringify(json));
    } catch (error) {
      throw unreadableAnswer(error);
    }
  }
  const overheadMs = dispatchedAt - exchange.startedAt + (performance.now() - doneAt);
  context.metrics.observeOverhead(surface, overheadMs / 1000);
  const headers: Record<string, string> = {
    'content-type': head.status >= 400 ? 'application/json' : contentType,
  };
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
}
