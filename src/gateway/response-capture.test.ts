import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseCapture } from './response-capture.js';

const event = (data: unknown) => ({ event: 'message', data: JSON.stringify(data), id: undefined });

test("a streamed answer of several choices is joined in index order, whatever order its chunks arrive in, with each choice's tool calls", () => {
  const capture = new ResponseCapture('openai.chat');
  capture.fromEvent(event({ choices: [{ index: 2, delta: { content: 'third' } }] }));
  capture.fromEvent(
    event({
      choices: [
        {
          index: 1,
          delta: {
            tool_calls: [
              {
                index: 1,
                id: 'call_b',
                type: 'function',
                function: { name: 'b', arguments: '{}' },
              },
            ],
          },
        },
      ],
    }),
  );
  capture.fromEvent(
    event({
      choices: [
        {
          index: 1,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: 'call_a',
                type: 'function',
                function: { name: 'a', arguments: '{"x":' },
              },
            ],
          },
        },
      ],
    }),
  );
  capture.fromEvent(
    event({
      choices: [{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] } }],
    }),
  );
  capture.fromEvent(
    event({ choices: [{ index: 0, delta: { content: 'fir', reasoning_content: 'think' } }] }),
  );
  capture.fromEvent(
    event({
      choices: [{ index: 0, delta: { content: 'st' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 7, completion_tokens: 5 },
    }),
  );
  capture.fromEvent({ event: 'message', data: '[DONE]', id: undefined });
  const result = capture.result();
  assert.equal(result.text, 'first\n\n\n\nthird');
  assert.equal(result.reasoning, 'think');
  assert.deepEqual(
    result.toolCalls.map((call) => call.function as { name: string; arguments: string }),
    [
      { name: 'a', arguments: '{"x":1}' },
      { name: 'b', arguments: '{}' },
    ],
  );
  assert.equal(result.finishReason, 'stop');
  assert.deepEqual([result.inputTokens, result.outputTokens], [7, 5]);
});

test('a whole answer of one choice, and an Anthropic message with text, thinking and a tool call', () => {
  const chat = new ResponseCapture('openai.chat');
  chat.fromBody({ choices: [{ index: 0, message: { content: 'hello' }, finish_reason: 'stop' }] });
  assert.deepEqual(chat.result(), {
    text: 'hello',
    reasoning: '',
    toolCalls: [],
    finishReason: 'stop',
    inputTokens: null,
    outputTokens: null,
    droppedChars: 0,
  });

  const messages = new ResponseCapture('anthropic.messages');
  messages.fromBody({
    content: [
      { type: 'thinking', thinking: 'hmm' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
    ],
    stop_reason: 'tool_use',
    usage: { input_tokens: 10, output_tokens: 20 },
  });
  assert.deepEqual(messages.result(), {
    text: 'Let me check.',
    reasoning: 'hmm',
    toolCalls: [
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: '{"city":"Paris"}' },
    ],
    finishReason: 'tool_use',
    inputTokens: 10,
    outputTokens: 20,
    droppedChars: 0,
  });

  const empty = new ResponseCapture('openai.chat');
  assert.deepEqual(empty.result(), {
    text: '',
    reasoning: '',
    toolCalls: [],
    finishReason: null,
    inputTokens: null,
    outputTokens: null,
    droppedChars: 0,
  });
});

test('past the cap, text, reasoning and tool arguments are counted, not kept', () => {
  const capture = new ResponseCapture('openai.chat', 10);
  capture.fromEvent(
    event({ choices: [{ index: 0, delta: { content: 'abcdef', reasoning_content: 'ghij' } }] }),
  );
  capture.fromEvent(event({ choices: [{ index: 0, delta: { content: 'klmno' } }] }));
  capture.fromEvent(
    event({
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: 'c',
                type: 'function',
                function: { name: 'f', arguments: '{"x":1}' },
              },
            ],
          },
        },
      ],
    }),
  );
  const result = capture.result();
  assert.equal(result.text, 'abcdef');
  assert.equal(result.reasoning, 'ghij');
  assert.equal(result.droppedChars, 5 + 1 + 7);
  const roomy = new ResponseCapture('anthropic.messages');
  roomy.fromBody({ content: [{ type: 'text', text: 'whole' }] });
  assert.equal(roomy.result().droppedChars, 0);
});

test('an upstream that numbers thousands of choices and tool calls keeps at most 256 of each', () => {
  const capture = new ResponseCapture('openai.chat');
  for (let index = 0; index < 5_000; index += 1) {
    capture.fromEvent(event({ choices: [{ index, delta: { content: 'x' } }] }));
    capture.fromEvent(
      event({
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index, function: { name: 'f', arguments: '{}' } }] },
          },
        ],
      }),
    );
  }
  const result = capture.result();
  assert.equal(result.text.split('\n\n').length, 257);
  assert.equal(result.toolCalls.length, 256);
});
