// Reads the audit's JSON Lines inputs (prompts, served texts): whole file, gzip detected, each line
// parsed on its own so that a bad line is reported by number and the rest goes on.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DistillGuardError, describeFileError } from '../core/index.js';

export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
}

/** The file's lines (1-based numbers), blank lines skipped. */
export function readLines(path: string): { line: number; text: string }[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error), { cause: error });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString('utf8').split('\n').map((text, index) => ({ line: index + 1, text })).filter((entry) => entry.text.trim().length > 0);
}

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
