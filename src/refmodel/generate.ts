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
export function generate(
  model: NgramModel,
  promptTokens: readonly number[],
  options: GenerateOptions,
  random: Random,
): Generation {
  const run = new GenerationRun(model, promptTokens, options, random);
  while (run.step());
  return run.result();
}

/**
 * One generation taken a token at a time, for streaming: `step()` samples the next token, and
 * `takeSettled()` hands over the tokens no stop sequence can still cut (text that could be the start
 * of a stop sequence is held back until resolved). Stepping to the end gives exactly `generate`'s result.
 * @example const run = new GenerationRun(model, prompt, { maxTokens: 64, stop: ['\n\n'] }, samplingStream(1));
 * while (run.step()) send(run.takeSettled()); send(run.takeSettled());
 */
export class GenerationRun {
  private readonly maxTokens: number;
  private readonly stops: readonly string[];
  private readonly topLogprobs: number;
  private readonly sampler: Sampler;
  private readonly history: Int32Array;
  private readonly context: number[];
  private readonly decoder = new TextDecoder('utf-8');
  private readonly tokens: GeneratedToken[] = [];
  private end: number;
  private text = '';
  private finishReason: Generation['finishReason'] = 'length';
  private done = false;
  /** Tokens handed over by takeSettled, and the text length they cover. */
  private taken = 0;
  private takenLength = 0;
  private sampledTokens = 0;

  constructor(
    private readonly model: NgramModel,
    promptTokens: readonly number[],
    private readonly options: GenerateOptions,
    private readonly random: Random,
  ) {
    this.maxTokens = options.maxTokens ?? defaultMaxTokens;
    this.stops = (options.stop ?? []).filter((stop) => stop.length > 0);
    this.topLogprobs = options.topLogprobs ?? 0;
    this.sampler = new Sampler(model, options);
    this.history = new Int32Array(promptTokens.length + this.maxTokens + 1);
    this.history.set(model.toVocabulary(promptTokens));
    this.context = options.logitsProcessor ? [...promptTokens] : [];
    this.end = promptTokens.length;
  }

  get finished(): boolean {
    return this.done;
  }

  /** Tokens sampled so far, including any cut off by a stop sequence (end-of-text not counted). */
  get completionTokens(): number {
    return this.sampledTokens;
  }

  /** Samples one token; false once the generation has ended (end-of-text, a stop sequence or max_tokens). */
  step(): boolean {
    if (this.done) return false;
    if (this.sampledTokens >= this.maxTokens) return this.finish();
    const sampled = this.sampler.next(this.history, this.end, this.context, this.random);
    if (sampled.tokenId === endOfTextToken) return this.finish('stop');
    this.sampledTokens += 1;
    this.history[this.end] = this.model.vocabularyIndex(sampled.tokenId);
    this.end += 1;
    if (this.options.logitsProcessor) this.context.push(sampled.tokenId);
    const bytes = tokenBytes(sampled.tokenId);
    const piece = this.decoder.decode(bytes, { stream: true });
    const top = this.topLogprobs > 0 ? this.sampler.topAlternatives(this.topLogprobs) : [];
    this.tokens.push({
      tokenId: sampled.tokenId,
      text: piece,
      bytes,
      logProb: sampled.logProb,
      top,
    });
    const before = this.text.length;
    this.text += piece;
    if (this.stops.length > 0) {
      const cut = firstStop(this.text, this.stops, before);
      if (cut >= 0) {
        this.text = this.text.slice(0, cut);
        trimPieces(this.tokens, cut);
        return this.finish('stop');
      }
    }
    if (this.sampledTokens >= this.maxTokens) return this.finish();
    return true;
  }

  /**
   * The tokens not handed over yet whose text is final: all of them once finished; before that,
   * those ending before the longest tail of the text that is the start of a stop sequence.
   */
  takeSettled(): GeneratedToken[] {
    const settledLength = this.done
      ? Infinity
      : this.text.length - heldBackLength(this.text, this.stops);
    const first = this.taken;
    while (this.taken < this.tokens.length) {
      const next = this.takenLength + this.tokens[this.taken].text.length;
      if (next > settledLength) break;
      this.takenLength = next;
      this.taken += 1;
    }
    return this.tokens.slice(first, this.taken);
  }

  /** The whole generation (call once finished). */
  result(): Generation {
    return {
      text: this.text,
      tokens: this.tokens,
      completionTokens: this.sampledTokens,
      finishReason: this.finishReason,
    };
  }

  private finish(reason: Generation['finishReason'] = 'length'): false {
    this.finishReason = reason;
    this.done = true;
    return false;
  }
}

/** Length of the longest tail of `text` that is a proper start of some stop string (0 if none). */
function heldBackLength(text: string, stops: readonly string[]): number {
  let held = 0;
  for (const stop of stops) {
    for (let length = Math.min(stop.length - 1, text.length); length > held; length -= 1) {
      if (text.endsWith(stop.slice(0, length))) {
        held = length;
        break;
      }
    }
  }
  return held;
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
