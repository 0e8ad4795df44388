// Derives the simulator's fixtures (fixtures/*.jsonl.gz) from the public data sets in ../shared/data.
// Run once when the data sets change: `node scripts/derive-fixtures.mjs [path/to/shared/data]`.
// The outputs are committed, so an installed distillguard never needs ../shared. Licences: fixtures/NOTICE.md.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { gzipSync } from 'node:zlib';

const data = process.argv[2] ?? new URL('../../shared/data', import.meta.url).pathname;
const out = new URL('../fixtures/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

/** RFC 4180 CSV with a configurable separator: quoted fields may hold separators, quotes and newlines. */
function parseCsv(text, separator) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === separator) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += char;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body.map((values) =>
    Object.fromEntries(header.map((name, column) => [name, values[column] ?? ''])),
  );
}

/** Python list literal of strings (MMLU-Redux `choices`), e.g. ['a', "b's"]. */
function parsePythonStringList(text) {
  const items = [];
  let index = text.indexOf('[') + 1;
  while (index < text.length) {
    const quote = text[index];
    if (quote !== "'" && quote !== '"') {
      index += 1;
      continue;
    }
    let value = '';
    index += 1;
    while (index < text.length && text[index] !== quote) {
      if (text[index] === '\\') {
        const next = text[index + 1];
        value += next === 'n' ? '\n' : next;
        index += 2;
      } else {
        value += text[index];
        index += 1;
      }
    }
    items.push(value);
    index += 1;
  }
  return items;
}

const jsonl = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
function write(name, records) {
  writeFileSync(
    join(out, name),
    gzipSync(records.map((record) => JSON.stringify(record)).join('\n') + '\n', { level: 9 }),
  );
  console.log(`${name}: ${records.length} records`);
}

write(
  'gsm8k.jsonl.gz',
  jsonl(join(data, 'benchmarks/gsm8k-test.jsonl')).map(({ question, answer }) => ({
    question,
    answer,
  })),
);
write(
  'humaneval.jsonl.gz',
  jsonl(join(data, 'benchmarks/humaneval.jsonl')).map(
    ({ task_id, prompt, canonical_solution, entry_point }) => ({
      task_id,
      prompt,
      canonical_solution,
      entry_point,
    }),
  ),
);

const mmlu = [];
for (const file of readdirSync(join(data, 'benchmarks/mmlu-redux')).sort()) {
  const subject = basename(file, '.csv').replace(/^mmlu_/, '');
  const text = readFileSync(join(data, 'benchmarks/mmlu-redux', file), 'utf8').replace(
    /^\uFEFF/,
    '',
  );
  const header = text.slice(0, text.indexOf('\n'));
  for (const row of parseCsv(text, header.includes(';') ? ';' : ',')) {
    if (!row.choices) continue;
    const choices = parsePythonStringList(row.choices);
    if (choices.length !== 4 || !/^[0-3]$/.test(row.answer)) continue;
    mmlu.push({ subject, question: row.question, choices, answer: Number(row.answer) });
  }
}
write('mmlu.jsonl.gz', mmlu);

const roles = parseCsv(readFileSync(join(data, 'prompts/awesome-chatgpt-prompts.csv'), 'utf8'), ',')
  .filter((row) => row.prompt && row.act)
  .map((row) => ({ act: row.act, prompt: row.prompt, for_devs: row.for_devs === 'TRUE' }));
write('roles.jsonl.gz', roles);

write(
  'self-instruct.jsonl.gz',
  jsonl(join(data, 'prompts/self-instruct-seed-tasks.jsonl')).map(({ instruction, instances }) => ({
    instruction,
    instances,
  })),
);
write(
  'code-alpaca.jsonl.gz',
  JSON.parse(readFileSync(join(data, 'prompts/code-alpaca-2k.json'), 'utf8')),
);

const tools = [];
for (const kind of ['simple_python', 'multiple', 'parallel', 'parallel_multiple']) {
  for (const entry of jsonl(join(data, `prompts/bfcl/BFCL_v4_${kind}.json`))) {
    tools.push({
      id: entry.id,
      kind,
      question: entry.question
        .flat()
        .filter((message) => message.role === 'user')
        .map((message) => message.content),
      functions: entry.function,
    });
  }
}
write('tools.jsonl.gz', tools);
write(
  'multi-turn-tools.jsonl.gz',
  jsonl(join(data, 'prompts/bfcl/BFCL_v4_multi_turn_base.json')).map((entry) => ({
    id: entry.id,
    turns: entry.question
      .map((turn) =>
        turn
          .filter((message) => message.role === 'user')
          .map((message) => message.content)
          .join('\n'),
      )
      .filter(Boolean),
    classes: entry.involved_classes,
  })),
);

const templates = [];
for (const file of readdirSync(join(data, 'prompts/templates')).sort()) {
  for (const entry of jsonl(join(data, 'prompts/templates', file))) {
    templates.push({
      template: basename(file, '.jsonl'),
      prompt: entry.prompt,
      completion: String(entry.completion ?? '').replace(/<\|endoftext\|>$/, ''),
    });
  }
}
write('templates.jsonl.gz', templates);
