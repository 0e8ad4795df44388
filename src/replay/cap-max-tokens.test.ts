import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capMaxTokens } from './cap-max-tokens.js';

test('capMaxTokens lowers max_tokens and max_completion_tokens, keeps smaller ones, adds a cap where none was set', () => {
  assert.deepEqual(capMaxTokens({ model: 'm', max_tokens: 4096 }, 16), {
    model: 'm',
    max_tokens: 16,
  });
  assert.deepEqual(capMaxTokens({ max_completion_tokens: 900, max_tokens: 8 }, 16), {
    max_completion_tokens: 16,
    max_tokens: 8,
  });
  assert.deepEqual(capMaxTokens({ messages: [] }, 16), { messages: [], max_tokens: 16 });
  const original = { max_tokens: 100 };
  capMaxTokens(original, 1);
  assert.equal(original.max_tokens, 100, 'the logged request is not modified');
});
