// Streams an interaction or account log into the store: split, parse, validate, batch, write.
// Bad lines are rejected with their number, field and reason, kept in the store, and the rest goes on.
import {
  DistillGuardError,
  validateAccount,
  validateInteraction,
  type Interaction,
} from '../core/index.js';
import {
  conflictingRecord,
  refusedRecord,
  type AccountRow,
  type ImportKind,
  type InteractionRow,
  type RejectedLineRow,
  type Store,
} from '../store/index.js';
import type { InputSource } from './input-source.js';
import { readLineBatches } from './line-batches.js';
import { parseRecord } from './parse-record.js';
import type { Rejection } from './rejection.js';
import { toAccountRow, toInteractionRow } from './to-rows.js';

export interface IngestProgress {
  lines: number;
  rejected: number;
  bytesConsumed: number;
  totalBytes: number | null;
}

/**
 * Streaming hook for work downstream of the store (detection): `add` sees each valid interaction
 * as it is parsed, `endBatch` closes the batch about to be written, and `stored` gets, per batch and
 * in order, which of its records were first sightings in this import (1) or repeats (0).
 */
export interface StoredRecordsObserver {
  add(record: Interaction, tsMs: number): void;
  endBatch(): void;
  stored(flags: Uint8Array): void;
}

export interface IngestOptions {
  /** Stop with an error once more than this many lines were rejected (default: never). */
  maxRejected?: number;
  onRejected?: (rejection: Rejection) => void;
  onProgress?: (progress: IngestProgress) => void;
  /** Longest line accepted, in bytes. */
  maxLineBytes?: number;
  observer?: StoredRecordsObserver;
}

export interface IngestResult {
  importId: number;
  /** Non-blank lines read. */
  lines: number;
  accepted: number;
  rejected: number;
  /** Distinct records in this input (an id seen twice counts once). */
  distinct: number;
}

/** Writes in flight at once: enough to keep the write worker busy, few enough to bound memory. */
const maxWritesInFlight = 3;
const maxStoredRejectedText = 1 << 20;

/** Ingests `source` as `kind` into `store`. Throws DistillGuardError('too_many_rejected') past maxRejected. */
export async function ingest(
  kind: ImportKind,
  source: InputSource,
  store: Store,
  options: IngestOptions = {},
): Promise<IngestResult> {
  // the input's byte counter made it flow: hold it while the write thread registers the import
  source.stream.pause();
  const importId = await store.beginImport(kind, source, { bulk: true });
  const maxRejected = options.maxRejected ?? Number.POSITIVE_INFINITY;
  const keepRaw = source.path === null;
  const validateInteractionRecord = validateInteraction();
  const validateAccountRecord = validateAccount();
  const seenAccounts = new Set<string>();
  const inflight: Promise<number>[] = [];
  let lines = 0;
  let accepted = 0;
  let rejected = 0;
  let distinct = 0;
  let refused = 0;

  const queue = async (write: Promise<number>) => {
    inflight.push(write.then((counted) => (distinct += counted)));
    if (inflight.length >= maxWritesInFlight) await inflight.shift();
  };

  let status: 'complete' | 'stopped' | 'failed' = 'failed';
  try {
    for await (const batch of readLineBatches(source.stream, {
      maxLineBytes: options.maxLineBytes,
    })) {
      const rows: InteractionRow[] = [];
      const accountRows: AccountRow[] = [];
      const rejections: RejectedLineRow[] = [];
      const overlong = new Set(batch.overlong);
      for (let index = 0; index < batch.lines.length; index += 1) {
        const text = batch.lines[index];
        const line = batch.firstLine + index;
        if (overlong.has(index)) {
          rejections.push({
            line,
            field: '',
            reason: `is longer than ${options.maxLineBytes ?? 64 * 1024 * 1024} bytes; split the record or raise the limit`,
            text: '',
          });
          continue;
        }
        if (text.length === 0 || (text.length < 64 && text.trim() === '')) continue;
        lines += 1;
        if (kind === 'interactions') {
          const parsed = parseRecord(text, validateInteractionRecord);
          if (parsed.ok) {
            const row = toInteractionRow(
              parsed.record,
              line,
              batch.offsets[index],
              batch.lengths[index],
              keepRaw ? text : null,
            );
            if (!keepRaw) row.pointedRaw = text;
            rows.push(row);
            options.observer?.add(parsed.record, row.tsMs);
          } else rejections.push({ line, field: parsed.field, reason: parsed.reason, text });
        } else {
          const parsed = parseRecord(text, validateAccountRecord);
          if (parsed.ok) accountRows.push(toAccountRow(parsed.record, text));
          else rejections.push({ line, field: parsed.field, reason: parsed.reason, text });
        }
      }
      lines += batch.overlong.length;
      accepted += rows.length + accountRows.length;
      if (rows.length > 0) {
        const observer = options.observer;
        observer?.endBatch();
        await queue(
          store.writeInteractions(importId, rows).then(async (flags) => {
            const conflicts = conflictRejections(rows, flags);
            observer?.stored(flags);
            let counted = 0;
            for (let index = 0; index < flags.length; index += 1) {
              // a row the store refused is in rejected_lines: it counts as rejected, not accepted
              if (flags[index] === 1) counted += 1;
              else if (flags[index] === refusedRecord) refused += 1;
            }
            if (conflicts.length > 0) {
              accepted -= conflicts.length;
              rejected += conflicts.length;
              for (const rejection of conflicts) options.onRejected?.(rejection);
              await store.writeRejections(importId, conflicts.map(keptRejection));
            }
            return counted;
          }),
        );
      }
      if (accountRows.length > 0) {
        for (const row of accountRows) seenAccounts.add(row.accountId);
        await queue(store.writeAccounts(importId, accountRows).then(() => 0));
      }
      if (rejections.length > 0) {
        rejected += rejections.length;
        for (const rejection of rejections) options.onRejected?.(rejection);
        await queue(store.writeRejections(importId, rejections.map(keptRejection)).then(() => 0));
        if (rejected > maxRejected) {
          source.stream.destroy();
          status = 'stopped';
          break;
        }
      }
      options.onProgress?.({
        lines,
        rejected,
        bytesConsumed: source.bytesConsumed(),
        totalBytes: source.size,
      });
    }
    await Promise.all(inflight);
    accepted -= refused;
    rejected += refused;
    if (kind === 'accounts') distinct = seenAccounts.size;
    if (status !== 'stopped') status = 'complete';
  } catch (error) {
    await Promise.allSettled(inflight);
    if (error instanceof DistillGuardError) throw error;
    throw new DistillGuardError(
      'input_unreadable',
      `cannot read '${source.label}': ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await store.finishImport(importId, { lines, accepted, rejected, distinct, status });
  }
  if (status === 'stopped') {
    throw new DistillGuardError(
      'too_many_rejected',
      `stopped reading '${source.label}' after ${rejected} rejected lines (--max-rejected ${maxRejected}); ` +
        `${accepted} good records before that were stored. Fix the input or raise --max-rejected.`,
    );
  }
  return { importId, lines, accepted, rejected, distinct };
}

const keptRejection = (row: RejectedLineRow): RejectedLineRow =>
  row.text.length > maxStoredRejectedText
    ? { ...row, text: row.text.slice(0, maxStoredRejectedText) }
    : row;

/**
 * Rejections for the rows the store flagged as conflicting with the record stored under their id
 * (the stored one is kept); their flags become 0, so that downstream work does not count them.
 */
function conflictRejections(rows: readonly InteractionRow[], flags: Uint8Array): RejectedLineRow[] {
  const conflicts: RejectedLineRow[] = [];
  for (let index = 0; index < flags.length; index += 1) {
    if (flags[index] !== conflictingRecord) continue;
    flags[index] = 0;
    const row = rows[index];
    conflicts.push({
      line: row.line,
      field: 'id',
      reason: `conflicts with the stored record of this id ('${row.id}'): same id, different content. The stored record is kept; give this record a new id if it is a different exchange`,
      text: row.raw ?? row.pointedRaw ?? '',
    });
  }
  return conflicts;
}
