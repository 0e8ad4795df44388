// Asks the suspect model through its OpenAI-compatible API (undici): bounded concurrency, a request
// rate limit, retries on 429/5xx/network errors with backoff, answers appended as they arrive.
import { request } from 'undici';
import type { AuditPrompt } from './audit-prompts.js';
import { answerKey, type AnswersLog, type SuspectAnswer } from './answers-log.js';

export interface SuspectOptions {
  /** API base as an OpenAI client's baseURL, e.g. http://host:8000/v1. */
  baseUrl: string;
  model: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests started per second (Infinity: no limit). */
  rate: number;
  /** Sets max_tokens on every request when given. */
  maxTokens?: number;
  samplesPerPrompt: number;
  /** Sent as a bearer token when set. */
  apiKey?: string;
  /** Attempts per request (1 = no retry). Default 4. */
  attempts?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface QueryFailure {
  line: number;
  sample: number;
  reason: string;
}

export interface QueryResult {
  answers: SuspectAnswer[];
  /** Requests actually sent this run (retries not counted). */
  asked: number;
  reused: number;
  failures: QueryFailure[];
}

/** Spaces request starts 1/rate seconds apart. */
class RateLimiter {
  private next = 0;
  constructor(private readonly rate: number) {}
  async wait(): Promise<void> {
    if (!Number.isFinite(this.rate)) return;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.rate;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}

class RetryableError extends Error {}

async function askOnce(
  url: string,
  body: string,
  apiKey: string | undefined,
): Promise<{ text: string; finishReason: string | null }> {
  let response;
  try {
    response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body,
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
  } catch (error) {
    throw new RetryableError(`cannot reach ${url}: ${(error as Error).message}`);
  }
  const raw = await response.body.text();
  if (response.statusCode === 429 || response.statusCode >= 500)
    throw new RetryableError(`HTTP ${response.statusCode}: ${raw.slice(0, 200)}`);
  if (response.statusCode >= 400)
    throw new Error(`HTTP ${response.statusCode}: ${raw.slice(0, 200)}`);
  let parsed: { choices?: { message?: { content?: unknown }; finish_reason?: unknown }[] };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw new Error('the answer is not JSON');
  }
  const choice = parsed.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string')
    throw new Error('the answer has no choices[0].message.content string');
  return {
    text: content,
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
  };
}

/**
 * Asks every (prompt, sample) not already in `previous`, appending each answer to `log`.
 * @example await querySuspect(prompts, { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', concurrency: 4, rate: 5, samplesPerPrompt: 1 }, log, new Map())
 */
export async function querySuspect(
  prompts: readonly AuditPrompt[],
  options: SuspectOptions,
  log: AnswersLog,
  previous: ReadonlyMap<string, SuspectAnswer>,
): Promise<QueryResult> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const attempts = options.attempts ?? 4;
  const answers: SuspectAnswer[] = [];
  const failures: QueryFailure[] = [];
  const pending: { prompt: AuditPrompt; sample: number }[] = [];
  let reused = 0;
  for (const prompt of prompts) {
    for (let sample = 0; sample < options.samplesPerPrompt; sample += 1) {
      const earlier = previous.get(answerKey(prompt.line, sample));
      if (earlier) {
        answers.push(earlier);
        reused += 1;
      } else pending.push({ prompt, sample });
    }
  }
  const limiter = new RateLimiter(options.rate);
  let cursor = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (cursor < pending.length) {
      const { prompt, sample } = pending[cursor];
      cursor += 1;
      const body = JSON.stringify({
        ...prompt.body,
        model: options.model,
        ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
      });
      let reason = '';
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        await limiter.wait();
        try {
          const { text, finishReason } = await askOnce(url, body, options.apiKey);
          const answer: SuspectAnswer = {
            line: prompt.line,
            sample,
            text,
            finish_reason: finishReason,
            answered_at: new Date().toISOString(),
          };
          log.append(answer);
          answers.push(answer);
          reason = '';
          break;
        } catch (error) {
          reason = (error as Error).message;
          if (!(error instanceof RetryableError) || attempt === attempts) break;
          await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        }
      }
      if (reason) failures.push({ line: prompt.line, sample, reason });
      done += 1;
      options.onProgress?.(done, pending.length);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, worker),
  );
  answers.sort((a, b) => a.line - b.line || a.sample - b.sample);
  return { answers, asked: pending.length, reused, failures };
}
