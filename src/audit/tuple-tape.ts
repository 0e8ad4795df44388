// The audit's single tape of distinct (window, token) tuples over all of the suspect's outputs
// (Sander et al. 2024, "Watermarking Makes Language Models Radioactive", §4: deduplicate across
// outputs, so every tuple is scored once and the exact test stays valid), then the two filters.
import { encodeText } from '../refmodel/index.js';
import { normalizeForDetection, tupleFingerprint } from '../watermark/index.js';

export type PromptFilter = 'tuple' | 'window';

export interface TapeCounts {
  /** Scorable positions over all outputs (tokens with a full window before them). */
  tuples_total: number;
  /** After deduplication across all outputs. */
  tuples_distinct: number;
  /** After dropping tuples (or windows, with the 'window' filter) that occur in the prompts. */
  tuples_after_prompt_filter: number;
  /** After keeping only windows seen in the served texts (equal to the previous count without --served). */
  tuples_after_served_filter: number;
}

export interface TupleTape {
  /** Window length h; each tuple is h + 1 tokens (window, then the scored token). */
  window: number;
  /** Tuples laid end to end, stride window + 1. */
  tokens: Int32Array;
  count: number;
  counts: TapeCounts;
}

export interface TapeOptions {
  window: number;
  /** Texts the suspect was prompted with. */
  prompts: readonly string[];
  promptFilter: PromptFilter;
  /** Window fingerprints of what was served to the cohort (readServedWindows); when given, only tuples whose window occurs in it are kept. */
  servedWindows?: ReadonlySet<number>;
}

/** Detector tokens of a text: the same normalisation and tokenizer as watermark detection. */
export function detectionTokens(text: string): number[] {
  return encodeText(normalizeForDetection(text));
}

/** Adds the fingerprint of every length-`length` run of `text`'s tokens (tokens[i .. i + length - 1]) to `runs`. */
export function addRunFingerprints(runs: Set<number>, text: string, length: number): void {
  if (length === 0) return;
  const tokens = detectionTokens(text);
  for (let start = 0; start + length <= tokens.length; start += 1)
    runs.add(tupleFingerprint(tokens, start, start + length - 1));
}

/** Fingerprints of every length-`length` run in `texts`. */
export function runFingerprints(texts: Iterable<string>, length: number): Set<number> {
  const runs = new Set<number>();
  for (const text of texts) addRunFingerprints(runs, text, length);
  return runs;
}

/**
 * Builds the tape. The prompt filter drops a tuple when its h + 1 tokens ('tuple', default) or its
 * h window tokens ('window') occur in a prompt: a suspect that copies its prompt copies tuples, not
 * the key's green lists. The served filter keeps a tuple when its window occurs in what was served
 * (Sander et al. 2024 §4, the supervised setting's filter): it is on windows, not tuples, because
 * served tuples are themselves biased towards green, and keeping only those would bias the test.
 * With h = 0 (Unigram) there are no windows and the window filters keep every tuple.
 */
export function buildTupleTape(outputs: readonly string[], options: TapeOptions): TupleTape {
  const window = options.window;
  const stride = window + 1;
  const promptRuns = runFingerprints(
    options.prompts,
    options.promptFilter === 'tuple' ? stride : window,
  );
  const servedWindows = options.servedWindows ?? null;
  const seen = new Set<number>();
  const counts: TapeCounts = {
    tuples_total: 0,
    tuples_distinct: 0,
    tuples_after_prompt_filter: 0,
    tuples_after_served_filter: 0,
  };
  let tape = new Int32Array(4096 * stride);
  let count = 0;
  for (const output of outputs) {
    const tokens = detectionTokens(output);
    for (let index = window; index < tokens.length; index += 1) {
      counts.tuples_total += 1;
      const fingerprint = tupleFingerprint(tokens, index - window, index);
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      counts.tuples_distinct += 1;
      const promptRun =
        options.promptFilter === 'tuple'
          ? fingerprint
          : window > 0
            ? tupleFingerprint(tokens, index - window, index - 1)
            : null;
      if (promptRun !== null && promptRuns.has(promptRun)) continue;
      counts.tuples_after_prompt_filter += 1;
      if (
        servedWindows &&
        window > 0 &&
        !servedWindows.has(tupleFingerprint(tokens, index - window, index - 1))
      )
        continue;
      counts.tuples_after_served_filter += 1;
      if ((count + 1) * stride > tape.length) {
        const grown = new Int32Array(tape.length * 2);
        grown.set(tape);
        tape = grown;
      }
      for (let offset = 0; offset < stride; offset += 1)
        tape[count * stride + offset] = tokens[index - window + offset];
      count += 1;
    }
  }
  return { window, tokens: tape.subarray(0, count * stride), count, counts };
}
