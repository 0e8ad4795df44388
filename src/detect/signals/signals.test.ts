import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capabilityOf } from './capability.js';
import { elicitationMask, familiesOf, TemplateElicitation } from './elicitation.js';
import { promptParts } from './prompt-text.js';
import { templateKeys } from './template-skeleton.js';

test('prompt parts are read alike from OpenAI chat, Anthropic messages and completions bodies', () => {
  const openai = promptParts('openai.chat', {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: [{ type: 'text', text: 'second' }] },
    ],
    tools: [
      { type: 'function', function: { name: 'b_tool' } },
      { type: 'function', function: { name: 'a_tool' } },
    ],
  });
  assert.deepEqual(openai, {
    user: 'second',
    system: 'Be brief.',
    userTurns: 2,
    toolHistory: false,
    toolNames: ['a_tool', 'b_tool'],
  });
  const anthropic = promptParts('anthropic.messages', {
    system: [{ type: 'text', text: 'Be brief.' }],
    messages: [
      { role: 'user', content: 'find it' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'lookup', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'found' }] },
    ],
    tools: [{ name: 'lookup', input_schema: {} }],
  });
  assert.equal(anthropic.user, 'find it');
  assert.equal(anthropic.system, 'Be brief.');
  assert.equal(anthropic.toolHistory, true);
  assert.deepEqual(anthropic.toolNames, ['lookup']);
  assert.equal(
    promptParts('openai.completions', { prompt: 'Once upon a time' }).user,
    'Once upon a time',
  );
  assert.equal(
    promptParts('openai.chat', { messages: 'not a list' }).user,
    '',
    'odd shapes give empty parts, not errors',
  );
});

test('the same template around new content shares a head or tail key; different texts keep different exact keys', () => {
  const head =
    'You are an expert engineer. Solve the task below, thinking step by step before writing code.\n\nTask:\n';
  const first = templateKeys(
    `${head}Write a parser for CSV files with quoted fields and report every malformed row.`,
  );
  const second = templateKeys(
    `${head}Implement an LRU cache with O(1) get and put operations and document the complexity.`,
  );
  assert.equal(first.head, second.head);
  assert.notEqual(first.tail, second.tail);
  assert.notEqual(first.exact, second.exact);
  const tail =
    '\n\nExplain your thought process in detail, step by step, then give the final code, complete and tested.';
  assert.equal(
    templateKeys(`Sort 120 numbers by frequency${tail}`).tail,
    templateKeys(`Sort 97 strings by length${tail}`).tail,
  );
  assert.equal(
    templateKeys(
      'Numbers 12 and 345 differ only in digits, the rest of this long sentence is identical.',
    ).head,
    templateKeys(
      'Numbers 98 and 7 differ only in digits, the rest of this long sentence is identical.',
    ).head,
    'digit runs are masked',
  );
  assert.equal(templateKeys('short question?').head, null, 'too short to be template plus content');
});

test('elicitation families are recognised, and ordinary requests carry none', () => {
  const cases: [string, string[]][] = [
    [
      'Solve this. Show all intermediate steps of your reasoning; do not skip any step.',
      ['chain_of_thought'],
    ],
    ["Q: Janet has 3 ducks...\nA: Let's think step by step.", ['chain_of_thought']],
    [
      'Here is a question and its final answer. Articulate, step by step, the internal reasoning that leads to this answer.',
      ['chain_of_thought', 'reasoning_reconstruction'],
    ],
    [
      'You are grading an AI assistant\'s answer. Rubric: 1. Correctness (0-4). Give the total as "Total: X/10".',
      ['grading'],
    ],
    [
      'Compare the two responses and decide which one is better. Output "Winner: A" or "Winner: B".',
      ['grading'],
    ],
    [
      'Below is the transcript of an agent solving a task with tools. For every tool call, explain why it was made.',
      ['tool_trace'],
    ],
    [
      'Rewrite the following answer so that it avoids politically sensitive content and would pass a strict content review.',
      ['safe_rewrite'],
    ],
    ['Write a birthday poem for my grandmother who loves gardening.', []],
    [
      'Summarize the following customer support ticket in three bullet points, then suggest a reply.',
      [],
    ],
  ];
  for (const [text, families] of cases)
    assert.deepEqual(familiesOf(elicitationMask(text)), families, text);
});

test('capability classes follow the request: tools, grading, code, maths, writing, other', () => {
  assert.equal(capabilityOf('anything', true, false), 'tool_use');
  assert.equal(capabilityOf('anything', false, true), 'grading');
  assert.equal(
    capabilityOf('Write a Python function that merges intervals.', false, false),
    'coding',
  );
  assert.equal(
    capabilityOf('How many apples are left if 12 of 40 are eaten?', false, false),
    'reasoning',
  );
  assert.equal(capabilityOf('Translate this e-mail into French.', false, false), 'writing');
  assert.equal(capabilityOf('Tell me about the history of Lisbon.', false, false), 'other');
});

test("a template's elicitation is settled from several texts, so words in one user's content never stick to it", () => {
  const cache = new TemplateElicitation();
  const wrapper =
    'Classify the sentiment of this app review as positive, neutral or negative.\n\nReview: ';
  const texts = [
    `${wrapper}Honestly the rubric they use to score the answer is unfair, and I cannot decide which one is better.`,
    `${wrapper}Great app, fast and simple, would recommend it to anyone who travels a lot.`,
    `${wrapper}It crashes every time I open the camera, please fix it soon, I paid for this.`,
    `${wrapper}Nice colours but the login flow keeps asking for my password every single day.`,
  ];
  const masks = texts.map((text) => {
    const keys = templateKeys(text);
    return cache.mask(text, keys.head, keys.tail);
  });
  assert.ok(masks[0] !== 0, 'the first text is judged on its own words');
  assert.equal(masks[3], 0, 'once settled, the template carries no elicitation');
  const harvest = new TemplateElicitation();
  const cot =
    'Solve the following problem. Show all intermediate steps of your reasoning; do not skip any step.\n\nProblem: ';
  const settled = [1, 2, 3, 4, 5].map((n) => {
    const text = `${cot}${n} workers finish a job in ${n + 3} days; how many days for ${n + 1} workers at the same rate?`;
    const keys = templateKeys(text);
    return harvest.mask(text, keys.head, keys.tail);
  });
  assert.deepEqual(familiesOf(settled[4]), ['chain_of_thought']);
});
