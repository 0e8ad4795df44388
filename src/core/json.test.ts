// singleLineJson: any valid JSON as one JSON Lines line, the same value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { singleLineJson } from './json.js';

test('a pretty-printed body becomes one line that parses to the same value', () => {
  const value = {
    model: 'm',
    messages: [{ role: 'user', content: 'two\nlines and a "quote"\r\n' }],
    nested: { a: [1, 2, { b: null }] },
  };
  for (const text of [
    JSON.stringify(value, null, 2),
    JSON.stringify(value, null, '\t').replaceAll('\n', '\r\n'),
    `\n${JSON.stringify(value)}\r`,
  ]) {
    const line = singleLineJson(text);
    assert.ok(!line.includes('\n') && !line.includes('\r'), 'no line break is left');
    assert.deepEqual(JSON.parse(line), value);
  }
});

test('a body without line breaks is returned as it is (the same string)', () => {
  const text = '{"a":"b\\nc","d":[1,2]}';
  assert.equal(singleLineJson(text), text);
});
