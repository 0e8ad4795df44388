// An interpolated Kneser-Ney n-gram language model over cl100k_base tokens (Chen and Goodman 1998,
// §3.5): P(w | h) = max(c(hw) - D, 0) / c(h) + D N1+(h·) / c(h) · P(w | h'), down to continuation
// unigrams. The full distribution is there for inspection; sampling works on a candidate set.
import { ContextIndex } from './context-index.js';
import type { NgramTables, OrderTable } from './ngram-tables.js';

/** A next-token distribution over the model's whole vocabulary. */
export interface NextTokenDistribution {
  /** Tokenizer token ids, one per vocabulary entry (the end-of-text token first). */
  readonly tokenIds: Int32Array;
  /** Natural-log probability of each entry; they sum (as probabilities) to 1. */
  readonly logProbs: Float64Array;
}

/** How many of the most likely unigram-level tokens join every candidate set. */
const backgroundCandidates = 64;
/** How many of the one-token context's continuations (the most frequent) join the candidate set. */
const bigramCandidates = 256;

interface OrderState {
  readonly table: OrderTable;
  readonly index: ContextIndex;
  /** c(h): sum of the counts of each context's continuations. */
  readonly totals: Float64Array;
}

export class NgramModel {
  readonly order: number;
  readonly vocabularySize: number;
  readonly trainingTokens: number;
  readonly tables: NgramTables;
  private readonly vocabularyOfToken = new Map<number, number>();
  private readonly unigram: Float64Array;
  private readonly orders: OrderState[];
  private readonly background: Int32Array;
  // scratch for one candidate set: slot of each vocabulary entry, valid when its stamp is current
  private readonly slotOf: Int32Array;
  private readonly stampOf: Uint32Array;
  private stamp = 0;
  private readonly rows: Int32Array;

  constructor(tables: NgramTables) {
    this.tables = tables;
    this.order = tables.order;
    this.vocabularySize = tables.vocabulary.length;
    this.trainingTokens = tables.trainingTokens;
    tables.vocabulary.forEach((token, index) => this.vocabularyOfToken.set(token, index));
    let total = 0;
    for (const count of tables.unigramCounts) total += count;
    this.unigram = new Float64Array(this.vocabularySize);
    for (let index = 0; index < this.vocabularySize; index += 1)
      this.unigram[index] = tables.unigramCounts[index] / total;
    this.orders = tables.orders.map((table) => {
      const rows = table.offsets.length - 1;
      const totals = new Float64Array(rows);
      for (let row = 0; row < rows; row += 1) {
        let sum = 0;
        for (let entry = table.offsets[row]; entry < table.offsets[row + 1]; entry += 1)
          sum += table.counts[entry];
        totals[row] = sum;
      }
      return { table, index: new ContextIndex(table), totals };
    });
    const ranked = Array.from(this.unigram.keys()).sort(
      (a, b) => this.unigram[b] - this.unigram[a] || a - b,
    );
    this.background = Int32Array.from(
      ranked.slice(0, Math.min(backgroundCandidates, ranked.length)),
    );
    this.slotOf = new Int32Array(this.vocabularySize);
    this.stampOf = new Uint32Array(this.vocabularySize);
    this.rows = new Int32Array(this.order + 1);
  }

  /** Token id of vocabulary entry `index`. */
  tokenId(index: number): number {
    return this.tables.vocabulary[index];
  }

  /** Vocabulary index of a tokenizer token id, or -1 when the model never saw it. */
  vocabularyIndex(tokenId: number): number {
    return this.vocabularyOfToken.get(tokenId) ?? -1;
  }

  /** Maps token ids to vocabulary indexes (-1 for tokens the model never saw). */
  toVocabulary(tokenIds: readonly number[]): Int32Array {
    const indexes = new Int32Array(tokenIds.length);
    for (let position = 0; position < tokenIds.length; position += 1)
      indexes[position] = this.vocabularyIndex(tokenIds[position]);
    return indexes;
  }

  /**
   * The exact next-token distribution after `context` (token ids; only the last order-1 matter),
   * over the whole vocabulary.
   * @example const { tokenIds, logProbs } = model.nextDistribution(encodeText('The answer is'));
   */
  nextDistribution(context: readonly number[]): NextTokenDistribution {
    const history = this.toVocabulary(context);
    const probabilities = Float64Array.from(this.unigram);
    this.findRows(history, history.length);
    for (let k = 2; k <= this.order; k += 1) {
      const row = this.rows[k];
      if (row < 0) break;
      const { table, totals } = this.orders[k - 2];
      const start = table.offsets[row];
      const end = table.offsets[row + 1];
      const total = totals[row];
      const gamma = (table.discount * (end - start)) / total;
      for (let index = 0; index < probabilities.length; index += 1) probabilities[index] *= gamma;
      for (let entry = start; entry < end; entry += 1)
        probabilities[table.nextTokens[entry]] += (table.counts[entry] - table.discount) / total;
    }
    const logProbs = new Float64Array(probabilities.length);
    for (let index = 0; index < probabilities.length; index += 1)
      logProbs[index] = Math.log(probabilities[index]);
    return { tokenIds: this.tables.vocabulary, logProbs };
  }

  /**
   * Fills `candidates` (vocabulary indexes) and `probabilities` (their exact model probabilities,
   * not renormalised) for the position after `history[0 .. end - 1]` (vocabulary indexes) and returns
   * how many. The set: every continuation of the longer contexts, the 256 most frequent continuations
   * of the one-token context, the 64 most likely unigram-level tokens, end-of-text and `extra`; the
   * rest of the vocabulary (a small tail of mass) is left out, as top-k sampling leaves it out. Both buffers need room for vocabularySize + extra.length entries.
   */
  fillCandidates(
    history: Int32Array,
    end: number,
    candidates: Int32Array,
    probabilities: Float64Array,
    extra: Int32Array | null = null,
  ): number {
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.stampOf.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    let count = 0;
    const add = (index: number) => {
      if (this.stampOf[index] === stamp) return;
      this.stampOf[index] = stamp;
      this.slotOf[index] = count;
      candidates[count] = index;
      count += 1;
    };
    const found = this.findRows(history, end);
    if (found >= 2) {
      const { table } = this.orders[0];
      const row = this.rows[2];
      const stop = Math.min(table.offsets[row + 1], table.offsets[row] + bigramCandidates);
      for (let entry = table.offsets[row]; entry < stop; entry += 1) add(table.nextTokens[entry]);
    }
    for (let index = 0; index < this.background.length; index += 1) add(this.background[index]);
    add(0);
    if (extra)
      for (let index = 0; index < extra.length; index += 1)
        if (extra[index] >= 0) add(extra[index]);
    // scale of the unigram level: the product of every found order's back-off weight
    let scale = 1;
    for (let k = found; k >= 2; k -= 1) {
      const { table, totals } = this.orders[k - 2];
      const row = this.rows[k];
      scale *= (table.discount * (table.offsets[row + 1] - table.offsets[row])) / totals[row];
    }
    for (let slot = 0; slot < count; slot += 1)
      probabilities[slot] = scale * this.unigram[candidates[slot]];
    let weight = 1; // product of back-off weights of the orders above k
    for (let k = found; k >= 2; k -= 1) {
      const { table, totals } = this.orders[k - 2];
      const row = this.rows[k];
      const start = table.offsets[row];
      const stop = table.offsets[row + 1];
      const total = totals[row];
      const factor = weight / total;
      const discount = table.discount;
      const last = k === 2 ? Math.min(stop, start + bigramCandidates) : stop;
      for (let entry = start; entry < last; entry += 1) {
        const index = table.nextTokens[entry];
        if (this.stampOf[index] !== stamp)
          (add(index), (probabilities[count - 1] = scale * this.unigram[index]));
        probabilities[this.slotOf[index]] += (table.counts[entry] - discount) * factor;
      }
      weight *= (discount * (stop - start)) / total;
    }
    return count;
  }

  /** Finds the context row of each order (this.rows[k], -1 if unseen) and returns the highest order found (1 if none). */
  private findRows(history: Int32Array, end: number): number {
    let found = 1;
    for (let k = 2; k <= this.order; k += 1) {
      const row = this.orders[k - 2].index.find(history, end);
      this.rows[k] = row;
      if (row < 0) {
        for (let higher = k + 1; higher <= this.order; higher += 1) this.rows[higher] = -1;
        break;
      }
      found = k;
    }
    return found;
  }
}
