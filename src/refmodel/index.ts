// Public face of refmodel/: the built-in reference language model, its trainer and its server.
export { NgramModel, type NextTokenDistribution } from './ngram-model.js';
export type { NgramTables, OrderTable } from './ngram-tables.js';
export { NgramTrainer } from './ngram-trainer.js';
export {
  trainFromCorpus,
  corpusFormatOf,
  defaultOrder,
  type TrainOptions,
  type TrainResult,
  type CorpusFormat,
} from './train-from-corpus.js';
export { encodeModel, decodeModel, readModelFile, writeModelFile } from './model-file.js';
export { loadDefaultModel, loadModel, defaultModelPath } from './default-model.js';
export type { LogitsProcessor } from './logits-processor.js';
export {
  Sampler,
  type SamplingOptions,
  type SampledToken,
  type TopAlternative,
} from './sampler.js';
export {
  generate,
  GenerationRun,
  samplingStream,
  defaultMaxTokens,
  type GenerateOptions,
  type Generation,
  type GeneratedToken,
} from './generate.js';
export { chatPromptText, type ChatMessageInput, type ChatContentPart } from './chat-prompt.js';
export { encodeText, decodeTokens, tokenBytes, endOfTextToken } from './tokenizer.js';
export {
  startReferenceModelServer,
  type ReferenceServer,
  type ReferenceServerOptions,
} from './server/reference-server.js';
