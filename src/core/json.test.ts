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

test('jsonErrorOffset: -1 for valid JSON, else the offset JSON.parse would stop at', async () => {
  const { jsonErrorOffset } = await import('./json.js');
  for (const valid of [
    '{}',
    ' [1, -2.5e3, "a\\u00e9\\n", true, false, null, {"a": []}] ',
    '"x"',
    '0',
  ])
    assert.equal(jsonErrorOffset(valid), -1, valid);
  const cases: [string, number][] = [
    ['{"type": "bundle",\n  "id": oops}', 27],
    ['{"a": 1,}', 8],
    ['[1 2]', 3],
    ['{"a": "tab\there"}', 10],
    ['{"a": 01}', 7],
    ['{"a": 1', 7],
    ['{} {}', 3],
    ['"\\x"', 2],
  ];
  for (const [text, offset] of cases) {
    assert.throws(() => JSON.parse(text));
    assert.equal(jsonErrorOffset(text), offset, text);
  }
});
