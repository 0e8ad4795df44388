// Null texts for watermark calibration: human-written text from fixtures/ (prompts and benchmark
// items; licences in NOTICE.md) cut into token windows, and unwatermarked reference-model outputs.
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fixturesDirectory } from '../sim/index.js';
import {
  decodeTokens,
  encodeText,
  generate,
  samplingStream,
  type NgramModel,
} from '../refmodel/index.js';

/** Every string value in a JSON value, depth first. */
function stringsOf(value: unknown, into: string[]): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) stringsOf(item, into);
  return into;
}

/** The fixtures' records as texts (each record's strings joined by blank lines), in file order. */
export function fixtureDocuments(): string[] {
  const documents: string[] = [];
  for (const name of readdirSync(fixturesDirectory)
    .filter((file) => file.endsWith('.jsonl.gz'))
    .sort()) {
    const lines = gunzipSync(readFileSync(join(fixturesDirectory, name)))
      .toString('utf8')
      .split('\n');
    for (const line of lines)
      if (line.length > 0) documents.push(stringsOf(JSON.parse(line), []).join('\n\n'));
  }
  return documents;
}

/**
 * Up to `count` human texts of `tokensPerText` tokens: the fixture documents tokenized one after
 * another and cut into consecutive windows, each decoded back to text. `stride` < `tokensPerText`
 * makes windows overlap (more texts from the same material; neighbouring texts are then dependent).
 */
export function humanTexts(count: number, tokensPerText = 200, stride = tokensPerText): string[] {
  const texts: string[] = [];
  let buffer: number[] = [];
  for (const document of fixtureDocuments()) {
    buffer = buffer.concat(encodeText(`${document}\n\n`));
    while (buffer.length >= tokensPerText && texts.length < count) {
      texts.push(decodeTokens(buffer.slice(0, tokensPerText)));
      buffer = buffer.slice(stride);
    }
    if (texts.length >= count) break;
  }
  return texts;
}

/** `count` unwatermarked reference-model generations of `tokens` tokens, prompted with fixture texts. */
export function modelTexts(
  model: NgramModel,
  count: number,
  tokens = 200,
  seed = 'null',
): string[] {
  const prompts = humanTexts(Math.min(count, 500), 24);
  const texts: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const prompt = encodeText(`${prompts[index % prompts.length]}\n\n`);
    texts.push(
      generate(
        model,
        prompt,
        { maxTokens: tokens, logitBias: new Map([[100257, -100]]) },
        samplingStream(`${seed}/${index}`),
      ).text,
    );
  }
  return texts;
}
