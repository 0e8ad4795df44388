import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  signatureSimilarity,
  skeletonBands,
  skeletonSignature,
  skeletonWords,
} from './skeleton-minhash.js';

const template = (task: string) =>
  `You are an expert software engineer. Solve the task below. Before writing any code, think through the problem step by step and write out your complete reasoning, then give the final solution in a single code block.\n\nTask:\n${task}\n\nAfter the code, list the edge cases you handled and state the time and space complexity of the solution in plain words.`;
const variant = (task: string) =>
  `You are a senior software engineer. Solve the task below. Before writing any code, think through the problem step by step and write out your full reasoning, then give the final solution in one code block.\n\nTask:\n${task}\n\nAfter the code, list the edge cases you handled and state the time and space complexity of the solution in plain words.`;
const saas = (task: string) =>
  `Summarize the following customer support ticket in three bullet points, then suggest a reply to the customer.\n\nTicket:\n${task}\n\nKeep the reply under eighty words and do not promise refunds.`;
const signature = (text: string) =>
  skeletonSignature(text.slice(0, 200), text.slice(-900)) as Uint32Array;

test('numbers, quoted strings, code and mid-sentence names are masked in the skeleton', () => {
  assert.deepEqual(
    skeletonWords('Order 1234 from Alice costs "a lot" here'),
    skeletonWords('Order 98 from Bob costs "nothing at all" here'),
  );
  assert.deepEqual(
    skeletonWords('Fix this: ```x = 1``` now'),
    skeletonWords('Fix this: ```while (true) {}``` now'),
  );
});

test('the same template with new content, and a reworded variant of it, stay close; another template does not', () => {
  // user content: words that do not recur from one prompt to the next
  const long = (seed: number) =>
    Array.from(
      { length: 120 },
      (_, index) => `w${(seed * 7919 + index * 104_729) % 1_000_003}`,
    ).join(' ');
  const first = signature(template(long(1)));
  assert.ok(signatureSimilarity(first, signature(template(long(7)))) >= 0.5);
  assert.ok(signatureSimilarity(first, signature(variant(long(9)))) >= 0.4);
  assert.ok(signatureSimilarity(first, signature(saas(long(11)))) <= 0.1);
  const bands = new Set(skeletonBands(first));
  assert.ok(
    skeletonBands(signature(variant(long(13)))).some((band) => bands.has(band)),
    'the variant meets the template in a band',
  );
  assert.ok(!skeletonBands(signature(saas(long(15)))).some((band) => bands.has(band)));
});
