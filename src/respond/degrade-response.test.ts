import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AnthropicStreamScrubber,
  OpenAIChatStreamScrubber,
  removeThinkingBlocks,
  stripReasoningFromResponse,
} from './degrade-response.js';

test('OpenAI chat bodies lose reasoning fields and thinking spans', () => {
  const body = {
    id: 'x',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: '<think>secret</think>\n4',
          reasoning_content: 'secret',
          reasoning: 'secret',
        },
        finish_reason: 'stop',
      },
    ],
  };
  assert.deepEqual(stripReasoningFromResponse('openai.chat', body), {
    id: 'x',
    choices: [{ index: 0, message: { role: 'assistant', content: '4' }, finish_reason: 'stop' }],
  });
  assert.equal(body.choices[0].message.reasoning_content, 'secret', 'input untouched');
  const parts = stripReasoningFromResponse('openai.chat', {
    choices: [{ message: { content: [{ type: 'text', text: '<thinking>a</thinking>b' }] } }],
  });
  assert.deepEqual(parts, { choices: [{ message: { content: [{ type: 'text', text: 'b' }] } }] });
  assert.deepEqual(
    stripReasoningFromResponse('openai.completions', {
      choices: [{ text: '<think>t</think>done' }],
    }),
    { choices: [{ text: 'done' }] },
  );
});

test('OpenAI responses bodies lose reasoning items', () => {
  const body = {
    output: [
      { type: 'reasoning', summary: [] },
      { type: 'message', content: [{ type: 'output_text', text: '<think>x</think>ok' }] },
    ],
  };
  assert.deepEqual(stripReasoningFromResponse('openai.responses', body), {
    output: [{ type: 'message', content: [{ type: 'output_text', text: 'ok' }] }],
  });
});

test('Anthropic bodies lose thinking and redacted_thinking blocks', () => {
  const content = [
    { type: 'thinking', thinking: 'hmm', signature: 's' },
    { type: 'redacted_thinking', data: 'e' },
    { type: 'text', text: 'Answer' },
    { type: 'tool_use', id: 't', name: 'n', input: {} },
  ];
  assert.deepEqual(removeThinkingBlocks(content), [
    { type: 'text', text: 'Answer' },
    { type: 'tool_use', id: 't', name: 'n', input: {} },
  ]);
  assert.deepEqual(
    stripReasoningFromResponse('anthropic.messages', { role: 'assistant', content }).content,
    removeThinkingBlocks(content),
  );
});

test('OpenAI chat streams: reasoning deltas dropped, spans cut across chunks, held text released with finish_reason', () => {
  const scrubber = new OpenAIChatStreamScrubber();
  const chunks = [
    {
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', reasoning_content: 'private' },
          finish_reason: null,
        },
      ],
    },
    { choices: [{ index: 0, delta: { content: '<thi' }, finish_reason: null }] },
    { choices: [{ index: 0, delta: { content: 'nk>plan</th' }, finish_reason: null }] },
    { choices: [{ index: 0, delta: { content: 'ink> The answer: a <' }, finish_reason: null }] },
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
  const out = chunks.map((chunk) => scrubber.chunk(chunk));
  assert.deepEqual(out[0], {
    choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }],
  });
  const text = out
    .map((chunk) => (chunk.choices as { delta: { content?: string } }[])[0].delta.content ?? '')
    .join('');
  assert.equal(text, 'The answer: a <');
});

test('Anthropic streams: thinking blocks dropped, indices kept contiguous, text spans cut', () => {
  const scrubber = new AnthropicStreamScrubber();
  const events = [
    { type: 'message_start', message: { content: [] } },
    { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
    {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'thinking_delta', thinking: 'private' },
    },
    { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'text_delta', text: 'Hi <think>x</think> there <' },
    },
    { type: 'content_block_stop', index: 1 },
    {
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'tool_use', id: 't', name: 'n', input: {} },
    },
    {
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: '{}' },
    },
    { type: 'content_block_stop', index: 2 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use' } },
    { type: 'message_stop' },
  ];
  const out = events.flatMap((event) => scrubber.event(event));
  assert.ok(
    out.every(
      (event) =>
        !JSON.stringify(event).includes('private') && !JSON.stringify(event).includes('thinking'),
    ),
  );
  assert.deepEqual(
    out.filter((event) => 'index' in event).map((event) => `${event.type}:${event.index}`),
    [
      'content_block_start:0',
      'content_block_delta:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1',
      'content_block_stop:1',
    ],
  );
  const text = out
    .filter((event) => event.type === 'content_block_delta' && event.index === 0)
    .map((event) => (event.delta as { text: string }).text)
    .join('');
  assert.equal(text, 'Hi there <');
});
