// Generates a continuation of a prompt: samples token by token until end-of-text, a stop sequence
// or max_tokens, and keeps, per token, the text piece, bytes and log-probabilities a response needs.
import { Random } from '../sim/index.js';
import type { NgramModel } from './ngram-model.js';
import { Sampler, type SamplingOptions, type TopAlternative } from './sampler.js';
import { endOfTextToken, tokenBytes } from './tokenizer.js';

export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate. Default 256. */
  maxTokens?: number;
  /** Up to 4 strings; generation ends before the first one, which is not returned. */
  stop?: readonly string[];
  /** How many top alternatives to keep per token (0 to 20). Default 0. */
  topLogprobs?: number;
}

export interface GeneratedToken {
  tokenId: number;
  /** The text this token adds to the output (may be '' for part of a multi-byte character, or cut by a stop sequence). */
  text: string;
  bytes: Uint8Array;
  logProb: number;
  top: TopAlternative[];
}

export interface Generation {
  text: string;
  tokens: GeneratedToken[];
  /** Tokens sampled, including any cut off by a stop sequence (the end-of-text token is not counted). */
  completionTokens: number;
  finishReason: 'stop' | 'length';
}

export const defaultMaxTokens = 256;

/** A seeded random stream for choice `choice` of a request (same seed and choice, same stream). */
export function samplingStream(seed: number | string, choice = 0): Random {
  return new Random(`refmodel/${seed}/${choice}`);
}

/**
 * Continues `promptTokens` (cl100k_base ids).
 * @example generate(model, encodeText('Question: 2+2?\n\n'), { maxTokens: 32, temperature: 0.7 }, samplingStream(42))
 */
export function generate(model: NgramModel, promptTokens: readonly number[], options: GenerateOptions, random: Random): Generation {
  const maxTokens = options.maxTokens ?? defaultMaxTokens;
  const stops = (options.stop ?? []).filter((stop) => stop.length > 0);
  const topLogprobs = options.topLogprobs ?? 0;
  const sampler = new Sampler(model, options);
  const history = new Int32Array(promptTokens.length + maxTokens + 1);
  history.set(model.toVocabulary(promptTokens));
  const context = options.logitsProcessor ? [...promptTokens] : [];
  const decoder = new TextDecoder('utf-8');
  const tokens: GeneratedToken[] = [];
  let end = promptTokens.length;
  let text = '';
  let finishReason: Generation['finishReason'] = 'length';
  let completionTokens = 0;
  while (completionTokens < maxTokens) {
    const sampled = sampler.next(history, end, context, random);
    if (sampled.tokenId === endOfTextToken) {
      finishReason = 'stop';
      break;
    }
    completionTokens += 1;
    history[end] = model.vocabularyIndex(sampled.tokenId);
    end += 1;
    if (options.logitsProcessor) context.push(sampled.tokenId);
    const bytes = tokenBytes(sampled.tokenId);
    const piece = decoder.decode(bytes, { stream: true });
    const top = topLogprobs > 0 ? sampler.topAlternatives(topLogprobs) : [];
    tokens.push({ tokenId: sampled.tokenId, text: piece, bytes, logProb: sampled.logProb, top });
    const before = text.length;
    text += piece;
    if (stops.length > 0) {
      const cut = firstStop(text, stops, before);
      if (cut >= 0) {
        text = text.slice(0, cut);
        trimPieces(tokens, cut);
        finishReason = 'stop';
        break;
      }
    }
  }
  return { text, tokens, completionTokens, finishReason };
}

/** Earliest index of any stop string that ends after `before` (earlier text was already checked). */
function firstStop(text: string, stops: readonly string[], before: number): number {
  let cut = -1;
  for (const stop of stops) {
    const index = text.indexOf(stop, Math.max(0, before - stop.length + 1));
    if (index >= 0 && (cut < 0 || index < cut)) cut = index;
  }
  return cut;
}

/** Drops token pieces at or after `cut` and shortens the one that crosses it. */
function trimPieces(tokens: GeneratedToken[], cut: number): void {
  let offset = 0;
  let keep = 0;
  for (const token of tokens) {
    if (offset >= cut && token.text.length > 0) break;
    if (offset + token.text.length > cut) token.text = token.text.slice(0, cut - offset);
    offset += token.text.length;
    keep += 1;
  }
  tokens.length = keep;
}
