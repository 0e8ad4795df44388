// Checks the SSE parser against eventsource-parser on the same bytes split at every boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ApiError } from './api-error.js';
import { SseParser, type ServerSentEvent } from './sse-parser.js';

const streams = [
  'data: {"id":"1","choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"id":"1","choices":[{"delta":{"content":"lo ☃"}}]}\n\ndata: [DONE]\n\n',
  'event: message_start\r\ndata: {"type":"message_start"}\r\n\r\nevent: content_block_delta\r\ndata: {"type":"content_block_delta","delta":{"text":"é"}}\r\n\r\n',
  ': keep-alive comment\n\nid: 7\nevent: ping\ndata: line one\ndata: line two\n\nretry: 100\ndata:no-space\r\rdata: tail without end',
  '\uFEFFdata: bom first\n\nevent:\ndata:\n\ndata:  two spaces\n\n',
];

function ours(chunks: Uint8Array[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

function reference(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = createParser({
    onEvent: (event: EventSourceMessage) =>
      events.push({ event: event.event ?? 'message', data: event.data, id: event.id }),
  });
  parser.feed(text.replace(/^\uFEFF/, '')); // a decoder strips the BOM before eventsource-parser sees text
  return events;
}

test('SSE parser agrees with eventsource-parser for every split point, CR/LF/CRLF, comments, ids and BOM', () => {
  for (const stream of streams) {
    const bytes = Buffer.from(stream, 'utf8');
    const expected = reference(stream);
    assert.ok(expected.length > 0);
    for (let split = 0; split <= bytes.length; split += 1) {
      const actual = ours([bytes.subarray(0, split), bytes.subarray(split)]);
      assert.deepEqual(actual, expected, `split at byte ${split} of ${JSON.stringify(stream)}`);
    }
    const oneByteAtATime = ours([...bytes].map((byte) => Uint8Array.of(byte)));
    assert.deepEqual(oneByteAtATime, expected);
  }
});

test('an 8 MB line fed in 64 KB chunks is scanned once (linear work) and read whole under a large cap', () => {
  const size = 8 * 1024 * 1024;
  const events: ServerSentEvent[] = [];
  const parser = new SseParser((event) => events.push(event), 16 * 1024 * 1024);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  parser.push(Buffer.from('data: '));
  for (let sent = 0; sent < size; sent += chunk.length) parser.push(chunk);
  parser.push(Buffer.from('\n\n'));
  parser.end();
  assert.equal(events.length, 1);
  assert.equal(events[0].data.length, size);
  // every character examined once: a parser that rescans its pending line would count ~64 GB here
  assert.equal(parser.scanned, size + 'data: '.length + 2);
});

test('an event over the cap fails with upstream_error (a long line, or many data lines), and small events still pass', () => {
  const events: ServerSentEvent[] = [];
  const parser = new SseParser((event) => events.push(event), 1024);
  parser.push(Buffer.from('data: small\n\n'));
  assert.throws(
    () => {
      for (let sent = 0; sent < 4096; sent += 100) parser.push(Buffer.alloc(100, 'b'));
    },
    (error: unknown) =>
      error instanceof ApiError && error.status === 502 && error.code === 'upstream_error',
  );
  const lines = new SseParser(() => undefined, 1024);
  assert.throws(() => lines.push(Buffer.from('data: 0123456789\n'.repeat(100))), ApiError);
  assert.deepEqual(
    events.map((event) => event.data),
    ['small'],
  );
});
