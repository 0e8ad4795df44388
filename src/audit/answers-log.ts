// The append-only answers file beside the evidence (`<out>.answers.jsonl`): one line per answer the
// suspect gave, written as it arrives, so an interrupted audit resumes without re-asking.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isJsonObject, DistillGuardError } from '../core/index.js';
import { parseJson } from './line-files.js';

export interface SuspectAnswer {
  /** Line of the prompt in the prompts file. */
  line: number;
  /** Sample index, 0 .. samples-per-prompt - 1. */
  sample: number;
  text: string;
  finish_reason: string | null;
  answered_at: string;
}

export const answerKey = (line: number, sample: number): string => `${line}/${sample}`;

/** Answers already on disk (a torn last line from a crash is ignored). */
export function readAnswers(path: string): Map<string, SuspectAnswer> {
  const answers = new Map<string, SuspectAnswer>();
  if (!existsSync(path)) return answers;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    const record = parseJson(text);
    if (
      isJsonObject(record) &&
      typeof record.line === 'number' &&
      typeof record.sample === 'number' &&
      typeof record.text === 'string'
    ) {
      answers.set(answerKey(record.line, record.sample), record as unknown as SuspectAnswer);
    }
  }
  return answers;
}

export class AnswersLog {
  constructor(
    readonly path: string,
    resume: boolean,
  ) {
    try {
      if (!resume || !existsSync(path)) writeFileSync(path, '');
    } catch (error) {
      throw new DistillGuardError(
        'output_unwritable',
        `cannot write the answers file '${path}': ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  append(answer: SuspectAnswer): void {
    appendFileSync(this.path, `${JSON.stringify(answer)}\n`);
  }
}
