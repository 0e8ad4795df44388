// Chat Completions stream chunks into Anthropic Messages events: a complete answer ends with
// message_stop; an error chunk, or a stream cut before any finish_reason, ends with an error event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse-parser.js';
import { ChatStreamToMessages } from './messages-to-chat.js';

function events(text: string): { event: string; data: Record<string, any> }[] {
  const out: { event: string; data: Record<string, any> }[] = [];
  const parser = new SseParser((event) =>
    out.push({ event: event.event, data: JSON.parse(event.data) }),
  );
  parser.push(Buffer.from(text));
  parser.end();
  return out;
}

const delta = (content: string) => ({
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

test('a complete stream: text blocks, stop reason and usage, then message_stop', () => {
  const bridge = new ChatStreamToMessages('claude-x');
  let text = bridge.chunk(delta('Hello')) + bridge.chunk(delta(' world'));
  text += bridge.chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] });
  text += bridge.chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } });
  text += bridge.end();
  const seen = events(text);
  assert.deepEqual(
    seen.map((entry) => entry.event),
    [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ],
  );
  assert.equal(
    seen
      .filter((entry) => entry.event === 'content_block_delta')
      .map((entry) => entry.data.delta.text)
      .join(''),
    'Hello world',
  );
  assert.deepEqual(seen[5].data.delta.stop_reason, 'max_tokens');
  assert.equal(seen[5].data.usage.output_tokens, 2);
  assert.equal(bridge.end(), '', 'nothing more once ended');
});

test('an error chunk becomes an Anthropic error event and ends the stream', () => {
  const bridge = new ChatStreamToMessages('claude-x');
  let text = bridge.chunk(delta('Hel'));
  text += bridge.chunk({ error: { message: 'overloaded', type: 'server_error' } });
  text += bridge.chunk(delta('lo')) + bridge.end();
  const seen = events(text);
  assert.deepEqual(
    seen.map((entry) => entry.event),
    ['message_start', 'content_block_start', 'content_block_delta', 'error'],
  );
  assert.deepEqual(seen[3].data, {
    type: 'error',
    error: { type: 'api_error', message: 'overloaded' },
  });
});

test('a stream cut before any finish_reason ends with an error event, not a normal stop', () => {
  const bridge = new ChatStreamToMessages('claude-x');
  const seen = events(bridge.chunk(delta('partial')) + bridge.end());
  assert.equal(seen.at(-1)?.event, 'error');
  assert.match(seen.at(-1)?.data.error.message, /ended before the answer was complete/);
  assert.ok(!seen.some((entry) => entry.event === 'message_stop'));
});
