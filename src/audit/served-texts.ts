// What was served to the cohort under audit (`--served`): JSON Lines with `text`, or the gateway's
// interaction log, whose `response.text` is read. Only the windows of these texts matter.
import { parseJson, readLines, type RejectedLine } from './line-files.js';
import { addRunFingerprints } from './tuple-tape.js';
import { isJsonObject } from '../core/index.js';

/** The windows of what was served, as fingerprints; the texts themselves are not kept. */
export interface ServedWindows {
  windows: Set<number>;
  /** Texts read. */
  texts: number;
  rejected: RejectedLine[];
}

/** Streams the served file and keeps the fingerprint of every `window`-token run in its texts. */
export async function readServedWindows(path: string, window: number): Promise<ServedWindows> {
  const windows = new Set<number>();
  const rejected: RejectedLine[] = [];
  let texts = 0;
  const overlong = (line: number) =>
    rejected.push({ file: path, line, reason: 'is longer than 64 MiB; split it' });
  for await (const { line, text } of readLines(path, overlong)) {
    const record = parseJson(text);
    const served = isJsonObject(record)
      ? typeof record.text === 'string'
        ? record.text
        : isJsonObject(record.response) && typeof record.response.text === 'string'
          ? record.response.text
          : undefined
      : undefined;
    if (served === undefined)
      rejected.push({
        file: path,
        line,
        reason: 'expected a JSON object with a string "text" or "response.text"',
      });
    else {
      addRunFingerprints(windows, served, window);
      texts += 1;
    }
  }
  return { windows, texts, rejected };
}
