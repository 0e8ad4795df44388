// The counts an n-gram model is made of, as flat typed arrays: what the trainer produces, what the
// model file stores, and what the model reads at run time.

/** One order k >= 2: every context of k-1 tokens with its continuations, in compressed-row form. */
export interface OrderTable {
  /** Context length in tokens (k - 1). */
  readonly contextLength: number;
  /** Context tokens (model vocabulary indexes), contextLength per context, back to back. */
  readonly contextTokens: Int32Array;
  /** Continuations of context i are entries offsets[i] .. offsets[i + 1] - 1. */
  readonly offsets: Uint32Array;
  /** Continuation token of each entry (vocabulary index). */
  readonly nextTokens: Int32Array;
  /** Raw count at the highest order; continuation count (distinct left neighbours) below it. */
  readonly counts: Uint32Array;
  /** Absolute discount of this order (Kneser-Ney). */
  readonly discount: number;
}

export interface NgramTables {
  /** n: the longest n-gram (3 or 4 are usual). */
  readonly order: number;
  /** Vocabulary index -> tokenizer token id. Index 0 is the end-of-text token. */
  readonly vocabulary: Int32Array;
  /** Continuation count of each vocabulary entry: the unigram level of Kneser-Ney. */
  readonly unigramCounts: Uint32Array;
  /** Orders 2..n, in that order. */
  readonly orders: readonly OrderTable[];
  /** Tokens of training text the counts came from. */
  readonly trainingTokens: number;
}
