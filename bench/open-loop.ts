// An open-loop, fixed-rate load generator: request i is due at start + i / rate whatever happened
// to earlier ones, and its latency is measured from that due time, not from when a connection was
// free, so a stalled server shows up in the percentiles (no coordinated omission).
import { Pool } from 'undici';
import { overheadHeader } from '../src/core/index.js';
import { percentiles, type Percentiles } from './latency-stats.js';
import { SseCounter } from './sse-counter.js';

export interface OpenLoopOptions {
  origin: string;
  path: string;
  /** Requests per second. */
  rate: number;
  /** Measured seconds, after the warm-up. */
  durationS: number;
  /** Seconds at the same rate before measuring (not counted). */
  warmupS: number;
  connections: number;
  /** Body of request `index` (JSON text). */
  body(index: number): string;
  headers(index: number): Record<string, string>;
  /** SSE responses: measure time to first chunk and count chunks. */
  streaming: boolean;
  /** Chunks the upstream sends per streamed response. */
  chunksPerStream?: number;
  /** Called about once a second while running (memory sampling). */
  onSecond?: () => void;
}

export interface OpenLoopResult {
  /** Measured requests due (warm-up excluded). */
  due: number;
  ok: number;
  errors: Record<string, number>;
  /** Successful responses per second over the measured window (until the last one finished). */
  achievedRate: number;
  /** ms from due time to the last byte. */
  latency: Percentiles;
  /** ms from due time to the first body chunk (streaming only). */
  firstChunk: Percentiles | null;
  chunksReceived: number;
  chunksSent: number;
  /** Streams that ended without [DONE] or with fewer chunks than sent. */
  incompleteStreams: number;
  /** The gateway's overhead header (overheadHeader), when the target sets it. */
  reportedOverhead: Percentiles | null;
}

const requestTimeoutMs = 30_000;

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
  });
  const intervalMs = 1000 / options.rate;
  const warmup = Math.round(options.warmupS * options.rate);
  const total = warmup + Math.round(options.durationS * options.rate);
  const latency = new Float64Array(total).fill(Number.NaN);
  const firstChunk = new Float64Array(total).fill(Number.NaN);
  const overhead: number[] = [];
  const errors: Record<string, number> = {};
  let chunksReceived = 0;
  let incompleteStreams = 0;
  let lastFinish = 0;
  let outstanding = 0;
  let allDispatched = false;
  let finished: () => void = () => undefined;
  const allFinished = new Promise<void>((resolve) => (finished = resolve));
  const start = performance.now() + 20;

  const fire = async (index: number, dueMs: number) => {
    const measured = index >= warmup;
    try {
      const response = await pool.request({
        method: 'POST',
        path: options.path,
        headers: options.headers(index),
        body: options.body(index),
      });
      const reported = response.headers[overheadHeader];
      if (measured && typeof reported === 'string') overhead.push(Number(reported));
      const counter = options.streaming ? new SseCounter() : null;
      for await (const part of response.body as AsyncIterable<Buffer>) {
        if (counter) {
          if (counter.dataEvents === 0 && !counter.done && Number.isNaN(firstChunk[index]))
            firstChunk[index] = performance.now() - dueMs;
          counter.push(part);
        }
      }
      const end = performance.now();
      if (!measured) return;
      if (response.statusCode !== 200) {
        errors[`HTTP ${response.statusCode}`] = (errors[`HTTP ${response.statusCode}`] ?? 0) + 1;
        return;
      }
      if (counter) {
        chunksReceived += counter.dataEvents;
        if (!counter.done || counter.dataEvents < (options.chunksPerStream ?? 0))
          incompleteStreams += 1;
      }
      latency[index] = end - dueMs;
      lastFinish = Math.max(lastFinish, end);
    } catch (error) {
      if (!measured) return;
      const code = (error as { code?: string }).code ?? (error as Error).message;
      errors[code] = (errors[code] ?? 0) + 1;
    }
  };

  let next = 0;
  let lastSecond = start;
  const dispatch = () => {
    const now = performance.now();
    while (next < total && start + next * intervalMs <= now) {
      const index = next;
      next += 1;
      outstanding += 1;
      void fire(index, start + index * intervalMs).finally(() => {
        outstanding -= 1;
        if (allDispatched && outstanding === 0) finished();
      });
    }
    if (now - lastSecond >= 1000) {
      lastSecond = now;
      options.onSecond?.();
    }
    if (next < total) {
      // timers fire late by up to about a millisecond; that lateness is counted in the latency
      setTimeout(dispatch, Math.max(0, start + next * intervalMs - performance.now() - 0.2));
    } else {
      allDispatched = true;
      if (outstanding === 0) finished();
    }
  };
  setTimeout(dispatch, Math.max(0, start - performance.now()));
  await allFinished;
  await pool.close();

  const measuredLatency = Array.from(latency.subarray(warmup)).filter(
    (value) => !Number.isNaN(value),
  );
  const measuredFirstChunk = Array.from(firstChunk.subarray(warmup)).filter(
    (value, offset) => !Number.isNaN(value) && !Number.isNaN(latency[warmup + offset]),
  );
  const windowMs = Math.max(lastFinish - (start + warmup * intervalMs), options.durationS * 1000);
  return {
    due: total - warmup,
    ok: measuredLatency.length,
    errors,
    achievedRate: measuredLatency.length / (windowMs / 1000),
    latency: percentiles(measuredLatency),
    firstChunk: options.streaming ? percentiles(measuredFirstChunk) : null,
    chunksReceived,
    chunksSent: options.streaming ? measuredLatency.length * (options.chunksPerStream ?? 0) : 0,
    incompleteStreams,
    reportedOverhead: overhead.length ? percentiles(overhead) : null,
  };
}
