// One undici connection pool per upstream: `dispatch` (not fetch) on the hot path, timeouts from
// config (kept by one sweep over the calls in flight, not a timer per request: upstream-call.ts),
// and an abort tied to the client's connection.
import type { FastifyBaseLogger } from 'fastify';
import { Pool, errors } from 'undici';
import { ApiError } from './api-error.js';
import { upstreamApiKey, type UpstreamConfig } from './gateway-config.js';
import {
  CallsInFlight,
  UpstreamBodyTooLargeError,
  UpstreamCall,
  UpstreamDeadlineError,
  type CallDeadlines,
} from './upstream-call.js';

export interface UpstreamClientOptions {
  /** How long a call paused for a client that does not read may stay paused (`limits.client_stall_ms`). */
  clientStallMs: number;
  /** The largest whole answer collected (`limits.upstream_body_bytes`); a bigger one fails with 502. */
  maxBodyBytes: number;
}

export class UpstreamClient {
  readonly config: UpstreamConfig;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly apiKey: string | null;
  private readonly inFlight = new CallsInFlight();
  private readonly sweeper: NodeJS.Timeout;
  private readonly deadlines: CallDeadlines;
  private readonly maxBodyBytes: number;
  /** Failures since the last one logged, and when that was (one line per 10 s at most). */
  private failuresUnlogged = 0;
  private failureLoggedMs = -Infinity;
  /** The last /models listing and when it was asked for (cached for a minute). */
  private listing: { atMs: number; ids: Promise<string[]> } | null = null;

  constructor(
    config: UpstreamConfig,
    options: UpstreamClientOptions = { clientStallMs: 30_000, maxBodyBytes: 32 * 1024 * 1024 },
  ) {
    this.config = config;
    this.maxBodyBytes = options.maxBodyBytes;
    this.deadlines = {
      idleMs: config.timeout_ms,
      totalMs: config.timeout_total_ms,
      stallMs: options.clientStallMs,
    };
    const url = new URL(config.url);
    this.pool = new Pool(url.origin, {
      connections: config.connections,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.apiKey = upstreamApiKey(config);
    // a deadline passes up to one sweep late: a tenth of the shortest, at most a second
    const shortest = Math.min(config.timeout_ms, config.timeout_total_ms, options.clientStallMs);
    this.sweeper = setInterval(
      () => this.sweep(),
      Math.min(1_000, Math.max(10, Math.floor(shortest / 10))),
    );
    this.sweeper.unref();
  }

  /** Path of an API route on this upstream: '/chat/completions' under an OpenAI base, '/v1/messages' under Anthropic's. */
  path(route: '/chat/completions' | '/completions' | '/models' | '/v1/messages'): string {
    return `${this.basePath}${route}`;
  }

  /** Starts a POST of `body` to `path`; the call's `head` and `finished` say how it went. */
  call(
    path: string,
    body: Buffer | string,
    options: {
      anthropicVersion?: string;
      anthropicBeta?: string;
      extraHeaders?: Record<string, string>;
    },
  ): UpstreamCall {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...options.extraHeaders,
    };
    if (this.config.api === 'anthropic') {
      headers['anthropic-version'] = options.anthropicVersion ?? '2023-06-01';
      if (options.anthropicBeta) headers['anthropic-beta'] = options.anthropicBeta;
      if (this.apiKey) headers['x-api-key'] = this.apiKey;
    } else if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const call = new UpstreamCall(this.inFlight, this.maxBodyBytes);
    // 0: undici keeps no timers of its own for this request (sweep() does)
    this.pool.dispatch(
      { path, method: 'POST', headers, body, headersTimeout: 0, bodyTimeout: 0 },
      call,
    );
    return call;
  }

  /**
   * Failures of this upstream to log now: null while the last line is under 10 s old (they are
   * counted into the next), else how many there were since it, this one included.
   */
  failuresToLog(nowMs = Date.now()): number | null {
    this.failuresUnlogged += 1;
    if (nowMs - this.failureLoggedMs < 10_000) return null;
    const count = this.failuresUnlogged;
    this.failuresUnlogged = 0;
    this.failureLoggedMs = nowMs;
    return count;
  }

  /** Model ids an OpenAI-compatible upstream lists at /models, asked at most once a minute; empty when it does not answer. */
  listModels(nowMs = Date.now()): Promise<string[]> {
    if (this.listing === null || nowMs - this.listing.atMs > 60_000)
      this.listing = { atMs: nowMs, ids: this.fetchModels() };
    return this.listing.ids;
  }

  private async fetchModels(): Promise<string[]> {
    try {
      const headers: Record<string, string> = this.apiKey
        ? { authorization: `Bearer ${this.apiKey}` }
        : {};
      const response = await this.pool.request({
        path: this.path('/models'),
        method: 'GET',
        headers,
        headersTimeout: 2_000,
        bodyTimeout: 2_000,
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        return [];
      }
      const listed = (await response.body.json()) as { data?: { id?: unknown }[] };
      return (listed.data ?? [])
        .map((entry) => entry.id)
        .filter((id): id is string => typeof id === 'string');
    } catch {
      return [];
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.pool.close();
  }

  /** Fails the calls past a deadline: head or next chunk, the whole call, or a paused client. */
  private sweep(): void {
    if (this.inFlight.size === 0) return;
    const now = Date.now();
    const deadlines = this.deadlines;
    this.inFlight.forEach((call) => call.expire(now, deadlines));
  }
}

/**
 * Maps a connection or timeout failure to the error the caller sees (502 or 504). The message is
 * generic: which upstream failed and how goes to the log (`logUpstreamFailure`), not to clients.
 */
export function upstreamFailure(error: unknown): ApiError | Error {
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    error instanceof UpstreamDeadlineError
  ) {
    return new ApiError(
      504,
      'upstream_timeout',
      'The model server did not answer in time. Retry later.',
    );
  }
  if (error instanceof UpstreamBodyTooLargeError) {
    return new ApiError(
      502,
      'upstream_error',
      `The model server's answer is larger than this gateway accepts. Ask for less (max_tokens, n) or stream it.`,
    );
  }
  if (error instanceof errors.RequestAbortedError || (error as Error).name === 'AbortError')
    return error as Error;
  return new ApiError(
    502,
    'upstream_unreachable',
    'The model server could not be reached. Retry later.',
  );
}

/** The caller's error for a failed call to `upstream`; the details go to `log`, once per 10 s per upstream. */
export function loggedUpstreamFailure(
  upstream: UpstreamClient,
  error: unknown,
  log: FastifyBaseLogger,
): ApiError | Error {
  const failure = upstreamFailure(error);
  if (failure instanceof ApiError) {
    const count = upstream.failuresToLog();
    if (count !== null)
      log.warn(
        { upstream: upstream.config.name, failures: count, err: error },
        `upstream '${upstream.config.name}' failed: ${(error as Error).message}`,
      );
  }
  return failure;
}
