// Draws the next token: candidate set from the model, logit_bias, the logits processor, then
// temperature (0 is greedy), top_p (nucleus) and one uniform draw from a seeded stream, or the
// processor's own keyed choice when it has one (LogitsProcessor.choose, for Gumbel/EXP watermarks).
import type { Random } from '../sim/index.js';
import type { LogitsProcessor } from './logits-processor.js';
import type { NgramModel } from './ngram-model.js';

export interface SamplingOptions {
  /** 0 to 2; 0 always takes the most likely token. Default 1. */
  temperature?: number;
  /** 0 to 1: draw from the smallest set of tokens holding this much probability. Default 1. */
  topP?: number;
  /** Token id -> bias added to its logit (OpenAI semantics: -100 bans, +100 all but forces). */
  logitBias?: ReadonlyMap<number, number>;
  logitsProcessor?: LogitsProcessor;
}

/** One drawn token with the log-probability the sampler gave it (after bias and processor, at temperature 1). */
export interface SampledToken {
  tokenId: number;
  logProb: number;
}

export interface TopAlternative {
  tokenId: number;
  logProb: number;
}

/** Reusable buffers and settings for sampling many tokens of one request. */
export class Sampler {
  private readonly candidates: Int32Array;
  private readonly probabilities: Float64Array;
  private readonly candidateIds: Int32Array;
  private readonly logits: Float64Array;
  private readonly weights: Float64Array;
  private readonly biasVocabulary: Int32Array | null;
  private readonly biasValues: Float64Array | null;
  private readonly temperature: number;
  private readonly topP: number;
  private count = 0;
  private logNormaliser = 0;
  private logitsReady = false;
  private readonly sortedWeights: Float64Array;

  constructor(
    private readonly model: NgramModel,
    private readonly options: SamplingOptions = {},
  ) {
    const bias = options.logitBias && options.logitBias.size > 0 ? [...options.logitBias] : [];
    const capacity = model.vocabularySize + bias.length;
    this.candidates = new Int32Array(capacity);
    this.probabilities = new Float64Array(capacity);
    this.candidateIds = new Int32Array(capacity);
    this.logits = new Float64Array(capacity);
    this.weights = new Float64Array(capacity);
    this.sortedWeights = new Float64Array(capacity);
    this.biasVocabulary =
      bias.length > 0 ? Int32Array.from(bias, ([token]) => model.vocabularyIndex(token)) : null;
    this.biasValues = bias.length > 0 ? Float64Array.from(bias, ([, value]) => value) : null;
    this.temperature = options.temperature ?? 1;
    this.topP = options.topP ?? 1;
  }

  /**
   * Draws the token after `history` (vocabulary indexes, `end` of them; -1 for unknown tokens).
   * `context` (token ids) is what the logits processor sees.
   */
  next(history: Int32Array, end: number, context: readonly number[], random: Random): SampledToken {
    const model = this.model;
    const count = model.fillCandidates(
      history,
      end,
      this.candidates,
      this.probabilities,
      this.biasVocabulary,
    );
    this.count = count;
    const ids = this.candidateIds;
    for (let slot = 0; slot < count; slot += 1) ids[slot] = model.tokenId(this.candidates[slot]);
    if (!this.biasVocabulary && !this.options.logitsProcessor)
      return this.nextFromProbabilities(count, random);
    const logits = this.logits;
    for (let slot = 0; slot < count; slot += 1) logits[slot] = Math.log(this.probabilities[slot]);
    if (this.biasVocabulary && this.biasValues) this.applyBias(count);
    if (this.options.logitsProcessor)
      this.options.logitsProcessor.process(
        context,
        ids.subarray(0, count),
        logits.subarray(0, count),
      );
    let best = 0;
    let max = -Infinity;
    for (let slot = 0; slot < count; slot += 1) {
      if (logits[slot] > max) {
        max = logits[slot];
        best = slot;
      }
    }
    if (max === -Infinity) throw new RangeError('every candidate token is banned by logit_bias');
    let sum = 0;
    for (let slot = 0; slot < count; slot += 1) sum += Math.exp(logits[slot] - max);
    this.logNormaliser = max + Math.log(sum);
    this.logitsReady = true;
    let chosen = best;
    if (this.temperature !== 0) {
      const weights = this.weights;
      const inverse = 1 / this.temperature;
      let total = 0;
      for (let slot = 0; slot < count; slot += 1)
        total += weights[slot] = Math.exp((logits[slot] - max) * inverse);
      const processor = this.options.logitsProcessor;
      const picked = processor?.choose ? this.chooseWith(processor, context, count, total) : -1;
      chosen = picked >= 0 ? picked : this.draw(count, total, random);
    }
    return { tokenId: ids[chosen], logProb: logits[chosen] - this.logNormaliser };
  }

  /** Without bias or processor the model's probabilities are the weights: no logarithms per candidate. */
  private nextFromProbabilities(count: number, random: Random): SampledToken {
    const probabilities = this.probabilities;
    let sum = 0;
    let best = 0;
    for (let slot = 0; slot < count; slot += 1) {
      sum += probabilities[slot];
      if (probabilities[slot] > probabilities[best]) best = slot;
    }
    this.logNormaliser = Math.log(sum);
    this.logitsReady = false;
    let chosen = best;
    if (this.temperature === 1) {
      this.weights.set(probabilities.subarray(0, count));
      chosen = this.draw(count, sum, random);
    } else if (this.temperature !== 0) {
      const weights = this.weights;
      const inverse = 1 / this.temperature;
      const top = probabilities[best];
      let total = 0;
      for (let slot = 0; slot < count; slot += 1)
        total += weights[slot] = Math.pow(probabilities[slot] / top, inverse);
      chosen = this.draw(count, total, random);
    }
    return {
      tokenId: this.candidateIds[chosen],
      logProb: Math.log(probabilities[chosen]) - this.logNormaliser,
    };
  }

  /** The `k` most likely candidates of the last draw, best first (log-probabilities as in SampledToken). */
  topAlternatives(k: number): TopAlternative[] {
    const top: TopAlternative[] = [];
    if (k <= 0) return top;
    if (!this.logitsReady) {
      for (let slot = 0; slot < this.count; slot += 1)
        this.logits[slot] = Math.log(this.probabilities[slot]);
      this.logitsReady = true;
    }
    for (let slot = 0; slot < this.count; slot += 1) {
      const logProb = this.logits[slot] - this.logNormaliser;
      if (top.length === k && logProb <= top[k - 1].logProb) continue;
      let position = top.length < k ? top.length : k - 1;
      while (position > 0 && top[position - 1].logProb < logProb) position -= 1;
      top.splice(position, 0, { tokenId: this.candidateIds[slot], logProb });
      if (top.length > k) top.pop();
    }
    return top;
  }

  /** Lets the processor's own keyed draw pick the token (weights outside top_p are zeroed first). */
  private chooseWith(
    processor: LogitsProcessor,
    context: readonly number[],
    count: number,
    total: number,
  ): number {
    const weights = this.weights;
    if (this.topP < 1) {
      const [floor] = this.nucleusFloor(count, total);
      for (let slot = 0; slot < count; slot += 1) if (weights[slot] < floor) weights[slot] = 0;
    }
    const picked = processor.choose!(
      context,
      this.candidateIds.subarray(0, count),
      weights.subarray(0, count),
    );
    return picked >= 0 && picked < count && weights[picked] > 0 ? picked : -1;
  }

  private applyBias(count: number): void {
    const biasVocabulary = this.biasVocabulary!;
    const biasValues = this.biasValues!;
    for (let slot = 0; slot < count; slot += 1) {
      const index = this.candidates[slot];
      for (let bias = 0; bias < biasVocabulary.length; bias += 1) {
        if (biasVocabulary[bias] !== index) continue;
        this.logits[slot] =
          biasValues[bias] <= -100 ? -Infinity : this.logits[slot] + biasValues[bias];
      }
    }
  }

  private draw(count: number, total: number, random: Random): number {
    const weights = this.weights;
    let floor = 0;
    let mass = total;
    if (this.topP < 1) [floor, mass] = this.nucleusFloor(count, total);
    let target = random.next() * mass;
    let last = 0;
    for (let slot = 0; slot < count; slot += 1) {
      const weight = weights[slot];
      if (weight <= 0 || weight < floor) continue;
      last = slot;
      target -= weight;
      if (target < 0) return slot;
    }
    return last;
  }

  /**
   * Nucleus sampling (Holtzman et al. 2020): the smallest weight still inside the top_p mass, and the
   * mass of the tokens at or above it (ties at the edge stay in).
   */
  private nucleusFloor(count: number, total: number): [number, number] {
    const sorted = this.sortedWeights.subarray(0, count);
    for (let slot = 0; slot < count; slot += 1) sorted[slot] = -this.weights[slot];
    sorted.sort();
    const limit = this.topP * total;
    let mass = 0;
    let floor = 0;
    for (let rank = 0; rank < count; rank += 1) {
      floor = -sorted[rank];
      mass += floor;
      if (mass >= limit) break;
    }
    let kept = 0;
    for (let slot = 0; slot < count; slot += 1)
      if (this.weights[slot] >= floor) kept += this.weights[slot];
    return [floor, kept];
  }
}
