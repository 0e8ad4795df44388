// Counts n-grams of tokenized documents and turns them into interpolated Kneser-Ney tables
// (Chen and Goodman 1998, §3.5): raw counts at the highest order, continuation counts below it.
import { endOfTextToken } from './tokenizer.js';
import type { NgramTables, OrderTable } from './ngram-tables.js';

/**
 * One level of the n-gram trie: k-grams as (prefix (k-1)-gram id, last token) pairs in an
 * open-addressing table of typed arrays (a Map keyed by large numbers is several times slower).
 */
class Level {
  size = 0;
  prefix = new Int32Array(1024);
  last = new Int32Array(1024);
  /** Occurrences at predicted positions (used at the highest order). */
  count = new Uint32Array(1024);
  /** Distinct left neighbours seen (used below the highest order). */
  continuation = new Uint32Array(1024);
  private slots = new Int32Array(2048).fill(-1);

  /** Id of the k-gram (prefix, token); creates it when new and reports that through `created`. */
  child(prefix: number, token: number, created: { value: boolean }): number {
    let mask = this.slots.length - 1;
    let slot = hashPair(prefix, token) & mask;
    for (;;) {
      const id = this.slots[slot];
      if (id === -1) break;
      if (this.prefix[id] === prefix && this.last[id] === token) {
        created.value = false;
        return id;
      }
      slot = (slot + 1) & mask;
    }
    created.value = true;
    const id = this.size;
    if (id === this.prefix.length) this.growRows();
    this.prefix[id] = prefix;
    this.last[id] = token;
    this.size += 1;
    if (this.size * 2 > this.slots.length) {
      this.rehash();
      mask = this.slots.length - 1;
      slot = hashPair(prefix, token) & mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
    }
    this.slots[slot] = id;
    return id;
  }

  private growRows(): void {
    const grow = <T extends Int32Array | Uint32Array>(array: T): T => {
      const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.prefix = grow(this.prefix);
    this.last = grow(this.last);
    this.count = grow(this.count);
    this.continuation = grow(this.continuation);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (let id = 0; id < this.size; id += 1) {
      let slot = hashPair(this.prefix[id], this.last[id]) & mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
      this.slots[slot] = id;
    }
  }
}

function hashPair(prefix: number, token: number): number {
  let hash = Math.imul(prefix, 0x9e3779b1) ^ Math.imul(token, 0x85ebca77);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  return (hash ^ (hash >>> 15)) >>> 0;
}

export class NgramTrainer {
  readonly order: number;
  private readonly levels: Level[];
  private tokens = 0;
  // ids of the k-grams (k = 0..n, 0 the root) ending at the last token and the one being added
  private previous: number[];
  private current: number[];
  private readonly created = { value: false };
  private inDocument = false;
  private documentTokens = 0;

  constructor(order: number) {
    if (!Number.isInteger(order) || order < 2 || order > 6)
      throw new RangeError('order must be a whole number from 2 to 6');
    this.order = order;
    this.levels = Array.from({ length: order + 1 }, () => new Level());
    this.previous = new Array<number>(order + 1).fill(-1);
    this.current = new Array<number>(order + 1).fill(-1);
  }

  /** Starts a document: the context is reset to order-1 end-of-text tokens. */
  startDocument(): void {
    this.previous.fill(-1);
    this.previous[0] = 0;
    this.inDocument = true;
    this.documentTokens = 0;
    for (let pad = 0; pad < this.order - 1; pad += 1) this.push(endOfTextToken, false);
  }

  /** Adds the next tokens of the current document (a document may arrive in many pieces). */
  addTokens(tokens: readonly number[]): void {
    if (!this.inDocument) this.startDocument();
    for (const token of tokens) this.push(token, true);
    this.documentTokens += tokens.length;
  }

  /** Ends the current document with one end-of-text token (an empty document adds nothing). */
  endDocument(): void {
    if (this.inDocument && this.documentTokens > 0) this.push(endOfTextToken, true);
    this.inDocument = false;
  }

  /** Whether a document has been started and has tokens. */
  hasOpenDocument(): boolean {
    return this.inDocument && this.documentTokens > 0;
  }

  /** Adds one whole document. */
  addDocument(documentTokens: readonly number[]): void {
    this.startDocument();
    this.addTokens(documentTokens);
    this.endDocument();
  }

  private push(token: number, predicted: boolean): void {
    const previous = this.previous;
    const current = this.current;
    current[0] = 0;
    for (let k = 1; k <= this.order; k += 1) {
      if (previous[k - 1] < 0) {
        current[k] = -1;
        continue;
      }
      const level = this.levels[k];
      const id = level.child(previous[k - 1], token, this.created);
      current[k] = id;
      if (!predicted) continue;
      level.count[id] += 1;
      if (this.created.value && k >= 2) this.levels[k - 1].continuation[current[k - 1]] += 1;
    }
    this.previous = current;
    this.current = previous;
    if (predicted) this.tokens += 1;
  }

  /** The model's tables: vocabulary (end-of-text first), unigram continuation counts and orders 2..n. */
  build(): NgramTables {
    const n = this.order;
    const unigrams = this.levels[1];
    const vocabularyIndex = new Map<number, number>([[endOfTextToken, 0]]);
    const tokenIds = [endOfTextToken];
    const seen = Array.from(unigrams.last.subarray(0, unigrams.size)).sort((a, b) => a - b);
    for (const token of seen) {
      if (!vocabularyIndex.has(token)) {
        vocabularyIndex.set(token, tokenIds.length);
        tokenIds.push(token);
      }
    }
    const unigramCounts = new Uint32Array(tokenIds.length);
    for (let id = 0; id < unigrams.size; id += 1) {
      const value = n === 1 ? unigrams.count[id] : unigrams.continuation[id];
      unigramCounts[vocabularyIndex.get(unigrams.last[id])!] = Math.max(1, value);
    }
    const orders: OrderTable[] = [];
    for (let k = 2; k <= n; k += 1) orders.push(this.buildOrder(k, vocabularyIndex));
    return {
      order: n,
      vocabulary: Int32Array.from(tokenIds),
      unigramCounts,
      orders,
      trainingTokens: this.tokens,
    };
  }

  private buildOrder(k: number, vocabularyIndex: Map<number, number>): OrderTable {
    const level = this.levels[k];
    const highest = k === this.order;
    // group k-grams by prefix (the context); keep those with a positive value
    const byContext = new Map<number, number[]>();
    for (let id = 0; id < level.size; id += 1) {
      const value = highest ? level.count[id] : level.continuation[id];
      if (value <= 0) continue;
      let list = byContext.get(level.prefix[id]);
      if (!list) byContext.set(level.prefix[id], (list = []));
      list.push(id);
    }
    const contextIds = [...byContext.keys()].sort((a, b) => a - b);
    const contextLength = k - 1;
    const contextTokens = new Int32Array(contextIds.length * contextLength);
    const offsets = new Uint32Array(contextIds.length + 1);
    let entries = 0;
    for (const list of byContext.values()) entries += list.length;
    const nextTokens = new Int32Array(entries);
    const counts = new Uint32Array(entries);
    let ones = 0;
    let twos = 0;
    let entry = 0;
    contextIds.forEach((contextId, index) => {
      // spell the context out by walking prefixes down the trie
      let id = contextId;
      for (let position = contextLength - 1; position >= 0; position -= 1) {
        const prefixLevel = this.levels[position + 1];
        contextTokens[index * contextLength + position] = vocabularyIndex.get(
          prefixLevel.last[id],
        )!;
        id = prefixLevel.prefix[id];
      }
      const list = byContext.get(contextId)!;
      const value = (id: number) => (highest ? level.count[id] : level.continuation[id]);
      list.sort((a, b) => value(b) - value(a));
      offsets[index] = entry;
      for (const id of list) {
        const count = value(id);
        if (count === 1) ones += 1;
        else if (count === 2) twos += 1;
        nextTokens[entry] = vocabularyIndex.get(level.last[id])!;
        counts[entry] = count;
        entry += 1;
      }
    });
    offsets[contextIds.length] = entry;
    // Ney's estimate D = n1 / (n1 + 2 n2), kept inside (0, 1)
    const discount =
      ones + twos === 0 ? 0.5 : Math.min(0.95, Math.max(0.05, ones / (ones + 2 * twos)));
    return { contextLength, contextTokens, offsets, nextTokens, counts, discount };
  }
}
