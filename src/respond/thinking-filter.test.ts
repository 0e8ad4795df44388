import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripThinking, ThinkingFilter } from './thinking-filter.js';

const cases: [string, string][] = [
  ['<think>\nstep 1\nstep 2\n</think>\n\nThe answer is 4.', 'The answer is 4.'],
  ['<thinking>plan</thinking>Hello <b>world</b>', 'Hello <b>world</b>'],
  ['Before <THINK>x < y</Think> after', 'Before after'],
  ['a < b and <thin ice>, <thinker> <', 'a < b and <thin ice>, <thinker> <'],
  ['<think>a</thinking>still hidden</think>shown', 'shown'],
  ['text <think>never closed', 'text '],
  ['ends with a partial <thin', 'ends with a partial <thin'],
  ['x<think></think><thinking>y</thinking>z', 'xz'],
  ['', ''],
];

function runChunks(chunks: string[]): string {
  const filter = new ThinkingFilter();
  return chunks.map((chunk) => filter.push(chunk)).join('') + filter.end();
}

test('whole texts lose their thinking spans and nothing else', () => {
  for (const [input, expected] of cases)
    assert.equal(stripThinking(input), expected, JSON.stringify(input));
});

test('every split into two and three chunks, and one character at a time, gives the same text', () => {
  for (const [input, expected] of cases) {
    assert.equal(runChunks([...input]), expected, `char by char: ${JSON.stringify(input)}`);
    for (let first = 0; first <= input.length; first += 1) {
      assert.equal(
        runChunks([input.slice(0, first), input.slice(first)]),
        expected,
        `split at ${first}: ${JSON.stringify(input)}`,
      );
      for (let second = first; second <= input.length; second += 1) {
        assert.equal(
          runChunks([input.slice(0, first), input.slice(first, second), input.slice(second)]),
          expected,
        );
      }
    }
  }
});

test('only the characters that might start a tag are held back', () => {
  const input =
    'Plain streaming text with a < sign and <thin-ish words, then <think>hidden</think> and more.';
  const expected = stripThinking(input);
  const filter = new ThinkingFilter();
  let emitted = '';
  for (let index = 0; index < input.length; index += 1) {
    emitted += filter.push(input[index]);
    assert.ok(expected.startsWith(emitted), 'never emits what is later removed');
    if (!filter.inSpan) {
      // outside a span the lag behind the input is at most one partial opening tag, plus removed text
      const consumed = stripThinking(input.slice(0, index + 1));
      assert.ok(
        consumed.length - emitted.length <= 9,
        `held ${consumed.length - emitted.length} characters`,
      );
    }
  }
  assert.equal(emitted + filter.end(), expected);
  const unbroken = new ThinkingFilter();
  assert.equal(
    unbroken.push('no tags here'),
    'no tags here',
    'text without "<" is passed on at once',
  );
});
