// Relays an upstream's SSE stream to the client: bytes pass through untouched unless something must
// rewrite them (a lexical tracer mark, degrade's scrubbers, an API translation), in that order; a
// copy of every event feeds the response capture; a full client socket pauses the upstream.
import type { ServerResponse } from 'node:http';
import type { StreamRewriter } from './enforcement.js';
import type { ResponseCapture } from './response-capture.js';
import { SseParser } from './sse-parser.js';
import type { UpstreamCall } from './upstream-call.js';

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
export async function relayStream({ call, raw, capture, marker, rewriter, translator, maxEventChars }: StreamRelay): Promise<void> {
  const rewrite = marker !== null || rewriter !== null || translator !== null;
  let outgoingText = '';
  const emit = (eventName: string, data: string) => {
    if (translator) outgoingText += translator.event(eventName, data);
    else outgoingText += `${eventName === 'message' ? '' : `event: ${eventName}\n`}data: ${data}\n\n`;
  };
  const pass = (eventName: string, data: string, id: string | undefined) => {
    capture.fromEvent({ event: eventName, data, id });
    if (!rewrite) return;
    if (!rewriter) emit(eventName, data);
    else for (const rewritten of rewriter.event(eventName, data)) emit(rewritten.event, rewritten.data);
  };
  const parser = new SseParser((event) => {
    if (!marker) pass(event.event, event.data, event.id);
    else for (const marked of marker.event(event.event, event.data)) pass(marked.event, marked.data, event.id);
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
