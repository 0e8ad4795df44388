// Trains a model from a corpus file, streamed: plain text (documents separated by a line holding
// only `<|endoftext|>`, tokenized a paragraph at a time) or JSON Lines with a `text` field per line.
import { DistillGuardError } from '../core/index.js';
import { openInput, readLineBatches } from '../ingest/index.js';
import { NgramTrainer } from './ngram-trainer.js';
import type { NgramTables } from './ngram-tables.js';
import { encodeText, endOfTextText } from './tokenizer.js';

export type CorpusFormat = 'text' | 'jsonl';

export interface TrainOptions {
  /** Longest n-gram; 3 by default. */
  order?: number;
  /** 'jsonl' for .jsonl/.ndjson names (optionally .gz), else 'text', unless given. */
  format?: CorpusFormat;
}

export interface TrainResult {
  tables: NgramTables;
  documents: number;
}

export const defaultOrder = 3;

export function corpusFormatOf(path: string): CorpusFormat {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(path) ? 'jsonl' : 'text';
}

/** Streams `path` ('-' for stdin, gzip detected) into a trainer and returns the model's tables. */
export async function trainFromCorpus(
  path: string,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const trainer = new NgramTrainer(options.order ?? defaultOrder);
  const format = options.format ?? corpusFormatOf(path);
  const source = await openInput(path);
  let documents = 0;
  let paragraph: string[] = [];
  let pending: string | null = null; // a finished paragraph, waiting to learn what follows it
  const flushPending = (separator: string) => {
    if (pending === null) return;
    trainer.addTokens(encodeText(pending + separator));
    pending = null;
  };
  const closeParagraph = () => {
    if (paragraph.length === 0) return;
    flushPending('\n\n');
    pending = paragraph.join('\n');
    paragraph = [];
  };
  const endDocument = () => {
    closeParagraph();
    flushPending('');
    if (trainer.hasOpenDocument()) documents += 1;
    trainer.endDocument();
  };
  for await (const batch of readLineBatches(source.stream, { maxLineBytes: 16 * 1024 * 1024 })) {
    for (let index = 0; index < batch.lines.length; index += 1) {
      const lineNumber = batch.firstLine + index;
      if (batch.overlong.includes(index))
        throw new DistillGuardError(
          'input_invalid',
          `${source.label}:${lineNumber}: line longer than 16 MiB; split the text into shorter lines.`,
        );
      const line = batch.lines[index];
      if (format === 'jsonl') {
        if (line.trim() === '') continue;
        const text = jsonlText(line, source.label, lineNumber);
        trainer.addDocument(encodeText(text));
        if (text.length > 0) documents += 1;
      } else if (line === endOfTextText) {
        endDocument();
      } else if (line.trim() === '') {
        closeParagraph();
      } else {
        paragraph.push(line);
      }
    }
  }
  if (format === 'text') endDocument();
  if (documents === 0)
    throw new DistillGuardError('input_invalid', `${source.label}: no text to train on.`);
  return { tables: trainer.build(), documents };
}

function jsonlText(line: string, label: string, lineNumber: number): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    throw new DistillGuardError(
      'input_invalid',
      `${label}:${lineNumber}: is not valid JSON; each line must be an object with a "text" field.`,
    );
  }
  const text = (record as { text?: unknown } | null)?.text;
  if (typeof record !== 'object' || record === null || typeof text !== 'string') {
    throw new DistillGuardError(
      'input_invalid',
      `${label}:${lineNumber}: field 'text' must be a string.`,
    );
  }
  return text;
}
