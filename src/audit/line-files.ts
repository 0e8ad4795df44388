// Reads the audit's JSON Lines inputs (prompts, served texts) line by line, gzip detected, each
// line parsed on its own so that a bad line is reported by number and the rest goes on.
import { openInput, readLineBatches } from '../ingest/index.js';

export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
}

/**
 * The file's lines (1-based numbers), blank lines skipped, read as a stream (gzip detected): a
 * served-text log may be far larger than memory. A line over 64 MiB is reported, not kept.
 */
export async function* readLines(
  path: string,
  onOverlong: (line: number) => void,
): AsyncGenerator<{ line: number; text: string }> {
  const source = await openInput(path);
  for await (const batch of readLineBatches(source.stream)) {
    const overlong = new Set(batch.overlong);
    for (let index = 0; index < batch.lines.length; index += 1) {
      const line = batch.firstLine + index;
      if (overlong.has(index)) onOverlong(line);
      else if (batch.lines[index].trim().length > 0) yield { line, text: batch.lines[index] };
    }
  }
}

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
