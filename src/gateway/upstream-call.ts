// One call to an upstream through undici's dispatch API: no response stream object, no abort
// signal, no async iteration per request. The gateway waits for the head, then either collects
// the body (whole answers) or takes each chunk as it arrives (streams), pausing the upstream while
// the client's socket is full. `abort()` (the client left) ends the upstream request.
//
// Timeouts are kept here, not by undici: undici's headers and body timeouts allocate a timer per
// request that stays listed for up to half a second after the request ends, long enough to be
// promoted to the old generation (a third of what the gateway promoted at 3,000 req/s). The
// upstream client sweeps its calls in flight instead (`expire`), with undici's semantics: the head
// must come within the timeout of the dispatch, then each chunk within the timeout of the last.
// The same sweep keeps two deadlines undici has not: the whole call within its total (an upstream
// that trickles cannot dodge it), and a call paused for a client that does not read is ended once
// the pause passes the stall limit (the client then holds no upstream connection). A whole answer
// is collected up to a cap (past it the call fails). The calls in flight are linked through the
// calls themselves (`CallsInFlight`), not kept in a Set: adding and deleting a request's call in a
// long-lived Set promoted every request's objects (6.3 MB/s at 3,000 req/s against 0.6 without;
// the Set's table is rebuilt every few deletes, and the tables it leaves behind keep pointing at
// the calls that were in flight).
import { errors, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

/** The call took longer than its upstream's `timeout_total_ms` (mapped to 504, or a cut stream). */
export class UpstreamDeadlineError extends Error {
  override readonly name = 'UpstreamDeadlineError';
}

/** The client did not drain its socket within `limits.client_stall_ms`: both sides are ended. */
export class ClientStalledError extends Error {
  override readonly name = 'ClientStalledError';
}

/** A whole answer (or error body) grew past `limits.upstream_body_bytes`: mapped to 502. */
export class UpstreamBodyTooLargeError extends Error {
  override readonly name = 'UpstreamBodyTooLargeError';
}

/** The deadlines `expire` checks, in ms. */
export interface CallDeadlines {
  /** For the head after the dispatch, then for each next chunk (the upstream's `timeout_ms`). */
  idleMs: number;
  /** For the whole call from its dispatch (`timeout_total_ms`). */
  totalMs: number;
  /** For a call paused because the client's socket is full (`limits.client_stall_ms`). */
  stallMs: number;
}

export interface UpstreamHead {
  status: number;
  headers: IncomingHttpHeaders;
}

/** The calls of one upstream not yet ended, as a list linked through the calls. */
export class CallsInFlight {
  /** The most recent call, or null when none is in flight. */
  newest: UpstreamCall | null = null;
  size = 0;

  /** Calls `visit` on each call in flight; `visit` may end the call (it then leaves the list). */
  forEach(visit: (call: UpstreamCall) => void): void {
    let call = this.newest;
    while (call !== null) {
      const next = call.older;
      visit(call);
      call = next;
    }
  }
}

export class UpstreamCall implements Dispatcher.DispatchHandler {
  /** Resolves with the status and headers; rejects when the call fails first. */
  readonly head: Promise<UpstreamHead>;
  /** Resolves when the body has ended; rejects when it fails or is aborted. */
  readonly finished: Promise<void>;
  /** Body chunks received while no consumer is set (all of them for a whole answer). */
  readonly chunks: Buffer[] = [];
  /** Bytes in `chunks`, and the most they may hold (past it the call fails). */
  private buffered = 0;
  private readonly maxBufferedBytes: number;
  private controller: Dispatcher.DispatchController | null = null;
  private consumer: ((chunk: Buffer) => void) | null = null;
  private abortedEarly: Error | null = null;
  private started = false;
  private paused = false;
  private settled = false;
  /** When the head or the last chunk came (ms, Date.now), or the call was dispatched, paused or resumed. */
  private lastActivityMs = Date.now();
  private readonly dispatchedMs = this.lastActivityMs;
  /** The list this call is in until it ends, fails or is aborted, and its neighbours there. */
  private list: CallsInFlight | null;
  /** The next older call in flight (CallsInFlight's link). */
  older: UpstreamCall | null = null;
  private newer: UpstreamCall | null = null;
  private resolveHead!: (head: UpstreamHead) => void;
  private rejectHead!: (error: Error) => void;
  private resolveFinished!: () => void;
  private rejectFinished!: (error: Error) => void;

  constructor(inFlight: CallsInFlight | null = null, maxBufferedBytes = Infinity) {
    this.list = inFlight;
    this.maxBufferedBytes = maxBufferedBytes;
    if (inFlight) {
      this.older = inFlight.newest;
      if (this.older) this.older.newer = this;
      inFlight.newest = this;
      inFlight.size += 1;
    }
    this.head = new Promise((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    this.finished = new Promise((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // a failure before the head rejects both; only one of them may be awaited
    this.finished.catch(() => undefined);
  }

  /** Takes every chunk from now on (the ones already received first). */
  consume(consumer: (chunk: Buffer) => void): void {
    this.buffered = 0;
    for (const chunk of this.chunks.splice(0)) consumer(chunk);
    this.consumer = consumer;
  }

  /** The body so far as one buffer (whole answers, after `finished`). */
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  pause(): void {
    this.paused = true;
    this.lastActivityMs = Date.now();
    this.controller?.pause();
  }

  resume(): void {
    this.paused = false;
    this.lastActivityMs = Date.now();
    this.controller?.resume();
  }

  /**
   * Fails the call when it has passed one of its deadlines at `nowMs`: undici's HeadersTimeoutError
   * or BodyTimeoutError (waited too long for its head or next chunk), UpstreamDeadlineError (the
   * whole call too long) or ClientStalledError (paused too long); true when it did.
   */
  expire(nowMs: number, deadlines: CallDeadlines): boolean {
    if (this.settled) return false;
    let reason: Error;
    if (nowMs - this.dispatchedMs > deadlines.totalMs)
      reason = new UpstreamDeadlineError(`the call took over ${deadlines.totalMs} ms`);
    else if (this.paused) {
      if (nowMs - this.lastActivityMs <= deadlines.stallMs) return false;
      reason = new ClientStalledError(`the client did not read for ${deadlines.stallMs} ms`);
    } else if (nowMs - this.lastActivityMs <= deadlines.idleMs) return false;
    else reason = this.started ? new errors.BodyTimeoutError() : new errors.HeadersTimeoutError();
    if (this.controller) {
      if (!this.controller.aborted) this.controller.abort(reason);
    } else {
      // still queued in the pool: fail now, and stop the request if it is ever started
      this.abortedEarly = reason;
      this.fail(reason);
    }
    return true;
  }

  /** The client left: stop the upstream request (a no-op once the body has ended). */
  abort(): void {
    const reason = new errors.RequestAbortedError();
    if (this.controller) {
      if (!this.controller.aborted) this.controller.abort(reason);
    } else this.abortedEarly = reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortedEarly) controller.abort(this.abortedEarly);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.lastActivityMs = Date.now();
    if (statusCode < 200) return; // informational: the real head follows
    this.started = true;
    this.resolveHead({ status: statusCode, headers });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.lastActivityMs = Date.now();
    if (this.consumer) this.consumer(chunk);
    else if (this.buffered + chunk.length <= this.maxBufferedBytes) {
      this.buffered += chunk.length;
      this.chunks.push(chunk);
    } else if (!controller.aborted) {
      this.chunks.length = 0;
      this.buffered = 0;
      controller.abort(
        new UpstreamBodyTooLargeError(`the answer is over ${this.maxBufferedBytes} bytes`),
      );
    }
  }

  onResponseEnd(): void {
    this.settle();
    this.resolveFinished();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private fail(error: Error): void {
    this.settle();
    if (!this.started) this.rejectHead(error);
    this.rejectFinished(error);
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    const list = this.list;
    if (list === null) return;
    if (this.newer) this.newer.older = this.older;
    else list.newest = this.older;
    if (this.older) this.older.newer = this.newer;
    this.older = this.newer = this.list = null;
    list.size -= 1;
  }
}
