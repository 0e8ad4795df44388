// The shipped model: data/refmodel.bin.gz, committed (see docs/decisions/2026-11-27-reference-model.md),
// rebuilt from data/refmodel-corpus.txt.gz by `node scripts/build-refmodel.mjs`. Loaded once per process.
import { fileURLToPath } from 'node:url';
import { readModelFile } from './model-file.js';
import { NgramModel } from './ngram-model.js';

/** Path of the shipped model file (the package's data/ folder). */
export const defaultModelPath = fileURLToPath(
  new URL('../../../data/refmodel.bin.gz', import.meta.url),
);

let cached: NgramModel | null = null;

/** The shipped reference model (order 3, trained on the open corpus in data/), loaded on first use. */
export function loadDefaultModel(): NgramModel {
  cached ??= new NgramModel(readModelFile(defaultModelPath));
  return cached;
}

/** Loads a model file written by `distillguard refmodel train`. */
export function loadModel(path: string): NgramModel {
  return new NgramModel(readModelFile(path));
}
