// One call to an upstream through undici's dispatch API: no response stream object, no abort
// signal, no async iteration per request. The gateway waits for the head, then either collects
// the body (whole answers) or takes each chunk as it arrives (streams), pausing the upstream while
// the client's socket is full. `abort()` (the client left) ends the upstream request.
import { errors, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

export interface UpstreamHead {
  status: number;
  headers: IncomingHttpHeaders;
}

export class UpstreamCall implements Dispatcher.DispatchHandler {
  /** Resolves with the status and headers; rejects when the call fails first. */
  readonly head: Promise<UpstreamHead>;
  /** Resolves when the body has ended; rejects when it fails or is aborted. */
  readonly finished: Promise<void>;
  /** Body chunks received while no consumer is set (all of them for a whole answer). */
  readonly chunks: Buffer[] = [];
  private controller: Dispatcher.DispatchController | null = null;
  private consumer: ((chunk: Buffer) => void) | null = null;
  private abortedEarly: Error | null = null;
  private started = false;
  private resolveHead!: (head: UpstreamHead) => void;
  private rejectHead!: (error: Error) => void;
  private resolveFinished!: () => void;
  private rejectFinished!: (error: Error) => void;

  constructor() {
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
    for (const chunk of this.chunks.splice(0)) consumer(chunk);
    this.consumer = consumer;
  }

  /** The body so far as one buffer (whole answers, after `finished`). */
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  pause(): void {
    this.controller?.pause();
  }

  resume(): void {
    this.controller?.resume();
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

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational: the real head follows
    this.started = true;
    this.resolveHead({ status: statusCode, headers });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.consumer) this.consumer(chunk);
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.resolveFinished();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (!this.started) this.rejectHead(error);
    this.rejectFinished(error);
  }
}
