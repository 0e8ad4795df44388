// Streams one generation as it is sampled: a few tokens at a time, each batch's settled tokens
// written at once, then a turn of the event loop so that other requests, and a client's
// disconnect, are served while a long answer is generated.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GeneratedToken, GenerationRun } from '../generate.js';
import type { EventSink } from './event-stream.js';
import { asRequestError } from './run-choices.js';

/**
 * Most tokens sampled between two turns of the event loop, and most milliseconds. 16 tokens take
 * 0.3-1.5 ms with the shipped model; a turn costs a few µs, so batches of 8 to 32 cost about the same
 * (within noise), while one token per turn costs about 10% more. The time bound covers slow logits
 * processors, so another request never waits much more than 2 ms for its turn.
 */
export const batchTokens = 16;
export const batchMilliseconds = 2;

/** What the server counts across requests (ReferenceServer.counters, and /health's generated_tokens and open_streams). */
export interface GenerationCounters {
  /** Tokens sampled by every request so far, streamed or not. */
  generatedTokens: number;
  /** Streaming responses in progress. */
  openStreams: number;
}

/**
 * Steps `run` to its end, sending `opening` and then one event per settled token (`eventOf`).
 * The first batch is a single token, so the first chunks leave as soon as they exist.
 * Returns false, having stopped sampling, when the client disconnects.
 */
export async function streamRun(
  run: GenerationRun,
  sink: EventSink,
  opening: readonly string[],
  eventOf: (token: GeneratedToken) => string,
  counters: GenerationCounters,
): Promise<boolean> {
  const events = [...opening];
  let limit = 1;
  for (;;) {
    if (sink.closed) return false;
    const before = run.completionTokens;
    const deadline = performance.now() + batchMilliseconds;
    try {
      for (let count = 1; run.step() && count < limit && performance.now() < deadline; count += 1);
    } catch (error) {
      throw asRequestError(error);
    } finally {
      counters.generatedTokens += run.completionTokens - before;
    }
    for (const token of run.takeSettled()) events.push(eventOf(token));
    await sink.send(events);
    events.length = 0;
    if (run.finished) return !sink.closed;
    limit = batchTokens;
    await nextTurn();
  }
}
