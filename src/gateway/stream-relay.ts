// Where a stream is relayed: the head of a streamed answer, then the upstream's SSE stream to the
// client. Bytes pass through untouched unless something must rewrite them (a lexical tracer mark,
// degrade's scrubbers, an API translation), in that order; a copy of every event feeds the response
// capture; a full client socket pauses the upstream. A failure midway ends the stream in the
// caller's format when the gateway decided it, else cuts the connection; the exchange is recorded.
import type { ServerResponse } from 'node:http';
import { ApiError, streamErrorEvent, unreadableAnswer } from './api-error.js';
import { closeIfNotTakenWithin } from './client-deadline.js';
import type { StreamRewriter } from './enforcement.js';
import { recordExchange, type Exchange } from './exchange-record.js';
import type { ProxyContext } from './proxy-context.js';
import { ResponseCapture } from './response-capture.js';
import { streamTranslator, type RoutePlan } from './route-plan.js';
import { SseParser } from './sse-parser.js';
import { ClientStalledError, type UpstreamCall, type UpstreamHead } from './upstream-call.js';
import { overheadHeader } from '../core/index.js';

/** Turns the upstream API's events into the caller's SSE text (an API bridge). */
export interface StreamTranslator {
  event(eventName: string, data: string): string;
  end(): string;
}

export interface StreamRelay {
  call: UpstreamCall;
  raw: ServerResponse;
  capture: ResponseCapture;
  /** Marks the text (lexical tracer) before anything else sees it. */
  marker: StreamRewriter | null;
  /** Degrade's scrubbers, on the marked events. */
  rewriter: StreamRewriter | null;
  translator: StreamTranslator | null;
  /** The longest event the upstream may send (characters); past it the relay fails with an ApiError. */
  maxEventChars: number;
}

/** Resolves when the stream has ended and been written out; rejects (nothing ended) when it fails. */
export async function relayStream({
  call,
  raw,
  capture,
  marker,
  rewriter,
  translator,
  maxEventChars,
}: StreamRelay): Promise<void> {
  const rewrite = marker !== null || rewriter !== null || translator !== null;
  let outgoingText = '';
  const emit = (eventName: string, data: string) => {
    if (translator) outgoingText += translator.event(eventName, data);
    else
      outgoingText += `${eventName === 'message' ? '' : `event: ${eventName}\n`}data: ${data}\n\n`;
  };
  const pass = (eventName: string, data: string, id: string | undefined) => {
    capture.fromEvent({ event: eventName, data, id });
    if (!rewrite) return;
    if (!rewriter) emit(eventName, data);
    else
      for (const rewritten of rewriter.event(eventName, data))
        emit(rewritten.event, rewritten.data);
  };
  const parser = new SseParser((event) => {
    if (!marker) pass(event.event, event.data, event.id);
    else
      for (const marked of marker.event(event.event, event.data))
        pass(marked.event, marked.data, event.id);
  }, maxEventChars);
  let failure: unknown = null;
  const resume = () => call.resume();
  call.consume((buffer) => {
    if (failure) return;
    try {
      parser.push(buffer);
      let ok = true;
      if (!rewrite) ok = raw.write(buffer);
      else if (outgoingText) {
        ok = raw.write(outgoingText);
        outgoingText = '';
      }
      // the client's socket is full: hold the upstream until it drains
      if (!ok) {
        call.pause();
        raw.once('drain', resume);
      }
    } catch (error) {
      failure = error;
      call.abort();
    }
  });
  await call.finished.catch((error: unknown) => {
    throw failure ?? error;
  });
  if (failure) throw failure; // failed on the last chunk, after the body had ended
  parser.end();
  if (marker) for (const held of marker.flush()) pass(held.event, held.data, undefined);
  if (rewriter) for (const held of rewriter.flush()) emit(held.event, held.data);
  if (translator) outgoingText += translator.end();
  if (outgoingText) raw.write(outgoingText);
  raw.end();
}

/**
 * Relays a streamed answer whose head came at `headersAt` (for the overhead), then records the
 * exchange; a stream that fails midway is recorded too (499 or 502), not rejected.
 */
export async function relayStreamedAnswer(
  context: ProxyContext,
  exchange: Exchange,
  plan: RoutePlan,
  call: UpstreamCall,
  head: UpstreamHead,
  raw: ServerResponse,
  headersAt: number,
): Promise<void> {
  const { surface, watermark, dispatchedAt } = exchange;
  const { upstreamSurface } = plan;
  const capture = new ResponseCapture(upstreamSurface, context.limits.recorded_text_chars);
  const overheadMs = dispatchedAt - exchange.startedAt + (performance.now() - headersAt);
  context.metrics.observeOverhead(surface, overheadMs / 1000);
  const streamHeaders: Record<string, string> = {
    'content-type': plan.bridge
      ? 'text/event-stream; charset=utf-8'
      : String(head.headers['content-type'] ?? 'application/json'),
    'cache-control': 'no-cache',
  };
  if (context.gatewayHeaders) streamHeaders[overheadHeader] = overheadMs.toFixed(3);
  raw.writeHead(200, streamHeaders);
  let status = 200;
  try {
    await relayStream({
      call,
      raw,
      capture,
      marker: watermark?.scheme === 'lexical' ? watermark.streamMarker(upstreamSurface) : null,
      rewriter:
        exchange.admission.action === 'degrade'
          ? context.enforcement.streamRewriter(upstreamSurface)
          : null,
      translator: streamTranslator(plan.bridge, exchange.body, exchange.model),
      maxEventChars: context.limits.stream_event_chars,
    });
    closeIfNotTakenWithin(raw, context.limits.client_stall_ms);
  } catch (error) {
    // a client that stopped reading was cut at the stall limit: recorded as one that left
    status = exchange.clientLeft || error instanceof ClientStalledError ? 499 : 502;
    const decided = status === 499 ? null : unreadableAnswer(error);
    if (status === 499) raw.destroy();
    else if (decided instanceof ApiError) {
      // a failure the gateway decided (an oversized or unreadable event): said in the caller's format, then ended
      raw.end(streamErrorEvent(plan.callerFamily, decided));
      closeIfNotTakenWithin(raw, context.limits.client_stall_ms);
    } else {
      context.log.warn({ err: error }, 'upstream stream failed midway');
      raw.destroy();
    }
  }
  context.metrics.observeUpstream(surface, (performance.now() - dispatchedAt) / 1000);
  recordExchange(context, exchange, status, capture.result());
}
