// Public face of ingest/: open inputs, split lines, validate records, stream them into a store.
export { openInput, type InputSource, type InputKind } from './input-source.js';
export { readLineBatches, type LineBatch } from './line-batches.js';
export { parseRecord, type ParsedRecord } from './parse-record.js';
export { formatRejection, type Rejection } from './rejection.js';
export { toInteractionRow, toAccountRow } from './to-rows.js';
export {
  ingest,
  type IngestOptions,
  type IngestProgress,
  type IngestResult,
  type StoredRecordsObserver,
} from './ingest.js';
