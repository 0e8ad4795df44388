import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../../sim/index.js';
import { BenchmarkIndex } from './benchmark-index.js';

const index = BenchmarkIndex.builtIn();
const corpus = loadCorpus();

test('the shipped index recognises benchmark items inside the prompts harnesses send', () => {
  const gsm8k = corpus.gsm8k[321];
  assert.equal(index.match(`Q: ${gsm8k.question}\nA: Let's think step by step.`)?.suite, 'gsm8k');
  const shots = corpus.gsm8k
    .slice(0, 8)
    .map((shot) => `Question: ${shot.question}\nAnswer: ...`)
    .join('\n\n');
  assert.equal(
    index.match(`${shots}\n\nQuestion: ${corpus.gsm8k[900].question}\nAnswer:`)?.suite,
    'gsm8k',
    'few-shot prompts too',
  );
  const humaneval = corpus.humaneval[42];
  assert.equal(
    index.match(
      `Complete the following Python function.\n\n\`\`\`python\n${humaneval.prompt}\`\`\``,
    )?.suite,
    'humaneval',
  );
  let mmluFound = 0;
  const sample = corpus.mmlu.filter((_, position) => position % 57 === 0);
  for (const item of sample) {
    const prompt = `The following are multiple choice questions (with answers) about ${item.subject}.\n\n${item.question}\n${item.choices.map((choice, letter) => `${'ABCD'[letter]}. ${choice}`).join('\n')}\nAnswer:`;
    if (index.match(prompt)?.suite === 'mmlu') mmluFound += 1;
  }
  assert.ok(
    mmluFound / sample.length > 0.9,
    `recognised ${mmluFound} of ${sample.length} MMLU prompts`,
  );
});

test('ordinary prompts and generated tasks are not benchmark items', () => {
  for (const text of [
    'Write a Python function `solve_k3` that takes a list of intervals and merges overlapping entries and returns the result.',
    'Help me write a polite e-mail to my landlord about a broken heater.',
    corpus.codeAlpaca[17].instruction,
  ])
    assert.equal(index.match(text), null, text);
});

test('items can be added under a new suite, and the index survives serialisation as hashes only', () => {
  const custom = new BenchmarkIndex(1234);
  const text =
    'A train leaves the station at nine and travels north at sixty miles per hour until it reaches the coast.';
  custom.addItem('house-eval', text);
  const restored = BenchmarkIndex.deserialize(JSON.parse(JSON.stringify(custom.serialize())));
  assert.equal(restored.match(`Please answer: ${text} Think carefully.`)?.suite, 'house-eval');
  assert.doesNotMatch(
    JSON.stringify(custom.serialize()),
    /train|station|coast/,
    'no item text is stored',
  );
});
