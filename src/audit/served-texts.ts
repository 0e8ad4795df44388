// What was served to the cohort under audit (`--served`): JSON Lines with `text`, or the gateway's
// interaction log, whose `response.text` is read. Only the windows of these texts matter.
import { isObject, parseJson, readLines, type RejectedLine } from './line-files.js';

export interface ServedTexts {
  texts: string[];
  rejected: RejectedLine[];
}

export function readServedTexts(path: string): ServedTexts {
  const texts: string[] = [];
  const rejected: RejectedLine[] = [];
  for (const { line, text } of readLines(path)) {
    const record = parseJson(text);
    const served = isObject(record) ? (typeof record.text === 'string' ? record.text : isObject(record.response) && typeof record.response.text === 'string' ? record.response.text : undefined) : undefined;
    if (served === undefined) rejected.push({ file: path, line, reason: 'expected a JSON object with a string "text" or "response.text"' });
    else texts.push(served);
  }
  return { texts, rejected };
}
