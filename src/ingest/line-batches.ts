// Splits a byte stream into JSON Lines in batches, working on Buffers so a multi-gigabyte file
// never becomes one string and multi-byte characters split across chunks stay intact.
import type { Readable } from 'node:stream';

export interface LineBatch {
  /** 1-based number of lines[0] in the input. */
  firstLine: number;
  /** Line texts without the newline (a trailing \r is dropped too). Blank lines are kept as ''. */
  lines: string[];
  /** Byte offset of each line's start in the (decompressed) stream. */
  offsets: number[];
  /** Byte length of each line, without the newline. */
  lengths: number[];
  /** Indexes into lines of lines longer than maxLineBytes: their text is '' and they must be rejected. */
  overlong: number[];
}

export interface LineBatchOptions {
  /** Lines per batch. */
  batchLines?: number;
  /** Longest line kept in memory; longer lines are skipped and reported as overlong. */
  maxLineBytes?: number;
}

const newline = 0x0a;
const carriageReturn = 0x0d;

/** Yields batches of lines from `stream`. Memory: one chunk plus at most one partial line. */
export async function* readLineBatches(
  stream: Readable,
  options: LineBatchOptions = {},
): AsyncGenerator<LineBatch> {
  const batchLines = options.batchLines ?? 5000;
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024 * 1024;
  let batch = emptyBatch(1);
  let lineNumber = 1;
  let streamOffset = 0; // offset of the current chunk's first byte
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let partialStart = 0;
  let skipping = false; // inside an overlong line

  const push = (text: string, start: number, length: number, tooLong: boolean) => {
    if (tooLong) batch.overlong.push(batch.lines.length);
    batch.lines.push(text);
    batch.offsets.push(start);
    batch.lengths.push(length);
    lineNumber += 1;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let position = 0;
    while (position < chunk.length) {
      const end = chunk.indexOf(newline, position);
      if (end === -1) {
        const rest = chunk.length - position;
        if (partialBytes === 0) partialStart = streamOffset + position;
        if (!skipping && partialBytes + rest > maxLineBytes) {
          skipping = true;
          partial = [];
        }
        if (!skipping) partial.push(chunk.subarray(position));
        partialBytes += rest;
        break;
      }
      if (partialBytes === 0) {
        const stop = end > position && chunk[end - 1] === carriageReturn ? end - 1 : end;
        push(
          chunk.toString('utf8', position, stop),
          streamOffset + position,
          stop - position,
          false,
        );
      } else {
        const length = partialBytes + (end - position);
        if (skipping || length > maxLineBytes) {
          push('', partialStart, length, true);
        } else {
          partial.push(chunk.subarray(position, end));
          const joined = Buffer.concat(partial, length);
          const stop = length > 0 && joined[length - 1] === carriageReturn ? length - 1 : length;
          push(joined.toString('utf8', 0, stop), partialStart, stop, false);
        }
        partial = [];
        partialBytes = 0;
        skipping = false;
      }
      position = end + 1;
      if (batch.lines.length >= batchLines) {
        yield batch;
        batch = emptyBatch(lineNumber);
      }
    }
    streamOffset += chunk.length;
  }
  if (partialBytes > 0) {
    if (skipping) {
      push('', partialStart, partialBytes, true);
    } else {
      const joined = Buffer.concat(partial, partialBytes);
      const stop = joined[partialBytes - 1] === carriageReturn ? partialBytes - 1 : partialBytes;
      push(joined.toString('utf8', 0, stop), partialStart, stop, false);
    }
  }
  if (batch.lines.length > 0) yield batch;
}

function emptyBatch(firstLine: number): LineBatch {
  return { firstLine, lines: [], offsets: [], lengths: [], overlong: [] };
}
