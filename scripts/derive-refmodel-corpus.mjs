// Derives the reference model's training corpus (data/refmodel-corpus.txt.gz) from open, human-written
// text: awesome-chatgpt-prompts (CC0), Self-Instruct seed tasks (Apache-2.0), GSM8K (MIT) and MMLU-Redux
// (CC BY 4.0). It reads the committed fixtures, which hold that text unchanged from ../shared/data
// (see scripts/derive-fixtures.mjs), so an installed distillguard never needs ../shared.
// Run when the fixtures change: `node scripts/derive-refmodel-corpus.mjs`. Licences: NOTICE.md.
// Format: plain UTF-8 text, one document after another, each followed by a line `<|endoftext|>`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

const fixtures = new URL('../fixtures/', import.meta.url);
const out = new URL('../data/refmodel-corpus.txt.gz', import.meta.url);
mkdirSync(new URL('../data/', import.meta.url), { recursive: true });

const records = (name) =>
  gunzipSync(readFileSync(new URL(name, fixtures)))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
const clean = (text) => String(text).replace(/\r\n?/g, '\n').replaceAll('<|endoftext|>', '').trim();

const documents = [];
const counts = {};
function add(source, text) {
  const document = clean(text);
  if (!document) return;
  documents.push(document);
  counts[source] = (counts[source] ?? 0) + 1;
}

for (const { act, prompt } of records('roles.jsonl.gz'))
  add('awesome-chatgpt-prompts', `${act}\n\n${prompt}`);

for (const { instruction, instances } of records('self-instruct.jsonl.gz')) {
  for (const { input, output } of instances)
    add(
      'self-instruct',
      [instruction, input, output].filter((part) => part && part.trim()).join('\n\n'),
    );
}

// GSM8K answers carry calculator annotations (<<48/2=24>>) and a '#### 72' final line: keep the prose.
for (const { question, answer } of records('gsm8k.jsonl.gz')) {
  const prose = answer
    .replace(/<<[^>]*>>/g, '')
    .replace(/\n?#### *(.+)\s*$/, '\nThe answer is $1.');
  add('gsm8k', `${question}\n\n${prose}`);
}

const letters = ['A', 'B', 'C', 'D'];
for (const { question, choices, answer } of records('mmlu.jsonl.gz')) {
  const options = choices.map((choice, index) => `${letters[index]}. ${choice}`).join('\n');
  add('mmlu-redux', `${question}\n${options}\n\nAnswer: ${letters[answer]}. ${choices[answer]}`);
}

const text = documents.map((document) => `${document}\n<|endoftext|>\n`).join('');
writeFileSync(out, gzipSync(text, { level: 9 }));
console.log(
  `refmodel-corpus.txt.gz: ${documents.length} documents, ${text.length} characters`,
  counts,
);
