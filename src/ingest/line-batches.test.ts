import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readLineBatches, type LineBatch } from './line-batches.js';

async function collect(chunks: Buffer[], options = {}): Promise<LineBatch[]> {
  const batches: LineBatch[] = [];
  for await (const batch of readLineBatches(Readable.from(chunks), options)) batches.push(batch);
  return batches;
}

function flatten(batches: LineBatch[]) {
  return batches.flatMap((batch) =>
    batch.lines.map((text, index) => ({
      line: batch.firstLine + index,
      text,
      offset: batch.offsets[index],
      length: batch.lengths[index],
      overlong: batch.overlong.includes(index),
    })),
  );
}

test('lines, numbers and byte offsets survive any chunking, including a multi-byte character cut in two', async () => {
  const text = 'first\r\nzweite Zeile mit Ümlaut €\n\nlast line without newline';
  const bytes = Buffer.from(text);
  const expected = [
    { line: 1, text: 'first', offset: 0, length: 5, overlong: false },
    {
      line: 2,
      text: 'zweite Zeile mit Ümlaut €',
      offset: 7,
      length: Buffer.byteLength('zweite Zeile mit Ümlaut €'),
      overlong: false,
    },
    {
      line: 3,
      text: '',
      offset: 7 + Buffer.byteLength('zweite Zeile mit Ümlaut €') + 1,
      length: 0,
      overlong: false,
    },
    {
      line: 4,
      text: 'last line without newline',
      offset: bytes.indexOf('last'),
      length: 25,
      overlong: false,
    },
  ];
  for (let size = 1; size <= bytes.length; size += 1) {
    const chunks: Buffer[] = [];
    for (let start = 0; start < bytes.length; start += size)
      chunks.push(bytes.subarray(start, start + size));
    assert.deepEqual(
      flatten(await collect(chunks, { batchLines: 2 })),
      expected,
      `chunk size ${size}`,
    );
  }
});

test('a line over the limit is flagged instead of held in memory, and the next line is intact', async () => {
  const long = 'x'.repeat(5000);
  const chunks = [
    Buffer.from(`ok\n${long.slice(0, 2000)}`),
    Buffer.from(long.slice(2000)),
    Buffer.from('\nafter\n'),
  ];
  const lines = flatten(await collect(chunks, { maxLineBytes: 1000 }));
  assert.deepEqual(
    lines.map((line) => [line.line, line.text, line.overlong]),
    [
      [1, 'ok', false],
      [2, '', true],
      [3, 'after', false],
    ],
  );
  assert.equal(lines[1].length, 5000);
});

test('batches hold at most batchLines lines and number them continuously', async () => {
  const text = Array.from({ length: 25 }, (_, index) => `line ${index + 1}`).join('\n');
  const batches = await collect([Buffer.from(text)], { batchLines: 10 });
  assert.deepEqual(
    batches.map((batch) => [batch.firstLine, batch.lines.length]),
    [
      [1, 10],
      [11, 10],
      [21, 5],
    ],
  );
  assert.equal(batches[2].lines[4], 'line 25');
});
