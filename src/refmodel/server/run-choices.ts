// Runs the n choices of one request and converts their tokens into OpenAI's two logprobs formats.
import { randomInt } from 'node:crypto';
import {
  generate,
  GenerationRun,
  samplingStream,
  type GenerateOptions,
  type Generation,
} from '../generate.js';
import type { LogitsProcessor } from '../logits-processor.js';
import type { NgramModel } from '../ngram-model.js';
import { decodeTokens, endOfTextText, endOfTextToken, tokenBytes } from '../tokenizer.js';
import { OpenAIRequestError } from './openai-error.js';

export interface CommonParameters {
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  logit_bias?: Record<string, number> | null;
}

export function generateOptions(
  body: CommonParameters,
  maxTokens: number | null | undefined,
  topLogprobs: number,
  logitsProcessor: LogitsProcessor | undefined,
): GenerateOptions {
  return {
    maxTokens: maxTokens ?? undefined,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    stop: body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop,
    logitBias: body.logit_bias
      ? new Map(Object.entries(body.logit_bias).map(([token, bias]) => [Number(token), bias]))
      : undefined,
    topLogprobs,
    logitsProcessor,
  };
}

/** Generates choice `firstChoice + i` for i < n with its own seeded stream; the seed is drawn when absent. */
export function runChoices(
  model: NgramModel,
  promptTokens: readonly number[],
  options: GenerateOptions,
  seed: number,
  firstChoice: number,
  n: number,
): Generation[] {
  const generations: Generation[] = [];
  for (let choice = firstChoice; choice < firstChoice + n; choice += 1) {
    try {
      generations.push(generate(model, promptTokens, options, samplingStream(seed, choice)));
    } catch (error) {
      throw asRequestError(error);
    }
  }
  return generations;
}

/** Choice `choice` to be stepped a few tokens at a time (streaming); same tokens as runChoices gives it. */
export function startChoice(
  model: NgramModel,
  promptTokens: readonly number[],
  options: GenerateOptions,
  seed: number,
  choice: number,
): GenerationRun {
  return new GenerationRun(model, promptTokens, options, samplingStream(seed, choice));
}

/** The sampler's RangeError (every candidate banned) as the 400 OpenAI gives for a bad logit_bias. */
export function asRequestError(error: unknown): unknown {
  if (error instanceof RangeError)
    return new OpenAIRequestError(
      400,
      `Invalid 'logit_bias': ${error.message}.`,
      'logit_bias',
      'invalid_value',
    );
  return error;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

export function requestSeed(seed: number | null | undefined): number {
  return seed ?? randomInt(0, 2 ** 47);
}

export function tokenText(tokenId: number): string {
  return tokenId === endOfTextToken ? endOfTextText : decodeTokens([tokenId]);
}

export interface ChatTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

/** One token in the chat format: choices[].logprobs.content[]. */
export function chatTokenLogprob(token: Generation['tokens'][number]): ChatTokenLogprob {
  return {
    token: tokenText(token.tokenId),
    logprob: token.logProb,
    bytes: Array.from(token.bytes),
    top_logprobs: token.top.map((alternative) => ({
      token: tokenText(alternative.tokenId),
      logprob: alternative.logProb,
      bytes: Array.from(tokenBytes(alternative.tokenId)),
    })),
  };
}

export interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Record<string, number>[];
  text_offset: number[];
}

/** Tokens in the legacy completions format, text offsets counted from `start`. */
export function legacyLogprobs(tokens: Generation['tokens'], start: number): LegacyLogprobs {
  const result: LegacyLogprobs = {
    tokens: [],
    token_logprobs: [],
    top_logprobs: [],
    text_offset: [],
  };
  let offset = start;
  for (const token of tokens) {
    result.tokens.push(tokenText(token.tokenId));
    result.token_logprobs.push(token.logProb);
    result.top_logprobs.push(
      Object.fromEntries(
        token.top.map((alternative) => [tokenText(alternative.tokenId), alternative.logProb]),
      ),
    );
    result.text_offset.push(offset);
    offset += token.text.length;
  }
  return result;
}
