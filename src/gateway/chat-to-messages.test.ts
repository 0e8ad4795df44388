// OpenAI Chat Completions clients served from an Anthropic Messages upstream: requests, answers
// and streams, checked on wire-format fixtures and with the official openai client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { messagesToChatRequest } from './messages-to-chat.js';
import { ApiError } from './api-error.js';
import {
  chatToMessagesRequest,
  defaultMaxTokens,
  messagesToChatResponse,
  MessagesStreamToChat,
} from './chat-to-messages.js';
import { SseParser, type ServerSentEvent } from './sse-parser.js';

type Json = Record<string, any>;

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city'],
    },
  },
};

/** A tool conversation as an OpenAI client sends it: two parallel calls, their results, a follow-up. */
const toolConversation: Json = {
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'system', content: 'You are a terse weather assistant.' },
    { role: 'user', content: 'Weather in Paris and Oslo?' },
    {
      role: 'assistant',
      content: 'Checking both cities.',
      tool_calls: [
        {
          id: 'toolu_01A',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        },
        {
          id: 'toolu_01B',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'toolu_01A', content: '18°C, clear' },
    { role: 'tool', tool_call_id: 'toolu_01B', content: '4°C, snow' },
    { role: 'assistant', content: 'Paris 18°C and clear; Oslo 4°C with snow.' },
    { role: 'user', content: 'Which one is warmer?' },
  ],
  tools: [weatherTool],
  tool_choice: 'auto',
  temperature: 0.2,
  max_completion_tokens: 300,
  stop: '\n\nHuman:',
  user: 'user-1234',
  stream: false,
  seed: 7,
};

// An answer and streams as the Messages API sends them (shapes from its documentation).
const toolUseMessage: Json = {
  id: 'msg_01Aq9w938a90dw8q',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    {
      type: 'thinking',
      thinking: 'The user wants Paris weather; call the tool.',
      signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
    },
    { type: 'text', text: 'Let me look that up.' },
    {
      type: 'tool_use',
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      input: { city: 'Paris', unit: 'celsius' },
    },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 472,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 100,
    output_tokens: 89,
  },
};

const textStream = `event: message_start
data: {"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"A greeting; "}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"answer warmly."}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":", wörld! ☃"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" How can I help?"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

event: message_stop
data: {"type":"message_stop"}

`;

const toolStream = `event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"cache_read_input_tokens":28,"output_tokens":2},"content":[],"stop_reason":null}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check the weather."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": \\"San Fra"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\\", \\"unit\\": \\"fahr"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"enheit\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_02Oslo","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":\\"Oslo\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

`;

const overloadedStream = `event: message_start
data: {"type":"message_start","message":{"id":"msg_01Overload","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Partial"}}

event: error
data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

`;

function parseSse(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  parser.push(Buffer.from(text, 'utf8'));
  parser.end();
  return events;
}

/** The OpenAI SSE text the translator writes for an Anthropic SSE text. */
function translate(
  anthropicStream: string,
  includeUsage: boolean,
  { complete = true } = {},
): string {
  const translator = new MessagesStreamToChat('claude-sonnet-4-5', includeUsage);
  let out = '';
  for (const event of parseSse(anthropicStream)) out += translator.event(event.event, event.data);
  return complete ? out + translator.end() : out;
}

/** The `data:` payloads of an OpenAI stream, [DONE] kept as a string. */
const payloads = (openaiStream: string): (Json | '[DONE]')[] =>
  parseSse(openaiStream).map((event) =>
    event.data === '[DONE]' ? '[DONE]' : JSON.parse(event.data),
  );
const chunksOf = (openaiStream: string): Json[] =>
  payloads(openaiStream).filter((payload): payload is Json => payload !== '[DONE]');

function rejectsWith(param: string) {
  return (error: unknown) =>
    error instanceof ApiError &&
    error.status === 400 &&
    error.param === param &&
    error.message.startsWith(param);
}

test('a multi-turn tool conversation becomes an alternating Messages request, and the Anthropic bridge turns it back', () => {
  const request: Json = chatToMessagesRequest(toolConversation);
  assert.equal(request.system, 'You are a terse weather assistant.');
  assert.deepEqual(
    request.messages.map((message: Json) => message.role),
    ['user', 'assistant', 'user', 'assistant', 'user'],
  );
  assert.deepEqual(request.messages[1].content, [
    { type: 'text', text: 'Checking both cities.' },
    {
      type: 'tool_use',
      id: 'toolu_01A',
      name: 'get_weather',
      input: { city: 'Paris', unit: 'celsius' },
    },
    { type: 'tool_use', id: 'toolu_01B', name: 'get_weather', input: { city: 'Oslo' } },
  ]);
  assert.deepEqual(
    request.messages[2].content,
    [
      { type: 'tool_result', tool_use_id: 'toolu_01A', content: '18°C, clear' },
      { type: 'tool_result', tool_use_id: 'toolu_01B', content: '4°C, snow' },
    ],
    'consecutive tool results share one user turn',
  );
  assert.deepEqual(request.tools, [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      input_schema: weatherTool.function.parameters,
    },
  ]);
  assert.deepEqual(request.tool_choice, { type: 'auto' });
  assert.equal(request.max_tokens, 300);
  assert.equal(request.temperature, 0.2);
  assert.deepEqual(request.stop_sequences, ['\n\nHuman:']);
  assert.deepEqual(request.metadata, { user_id: 'user-1234' });
  assert.equal(
    'seed' in request || 'stream' in request || 'user' in request,
    false,
    'fields with no Messages meaning are dropped',
  );

  const back: Json = messagesToChatRequest(request);
  assert.deepEqual(back.messages, toolConversation.messages);
  assert.deepEqual(back.tools, toolConversation.tools);
  assert.equal(back.tool_choice, 'auto');
});

test('requests: defaults, merged same-role turns, images, tool_choice and streaming', () => {
  const request: Json = chatToMessagesRequest({
    model: 'claude-x',
    stream: true,
    stop: ['END', 'STOP'],
    tools: [weatherTool],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    parallel_tool_calls: false,
    messages: [
      { role: 'developer', content: [{ type: 'text', text: 'Rule one.' }] },
      { role: 'user', content: 'First part.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Second part.' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
      { role: 'system', content: 'Rule two.' },
    ],
  });
  assert.equal(request.max_tokens, defaultMaxTokens);
  assert.equal(request.system, 'Rule one.\n\nRule two.');
  assert.equal(request.stream, true);
  assert.deepEqual(request.stop_sequences, ['END', 'STOP']);
  assert.deepEqual(request.tool_choice, {
    type: 'tool',
    name: 'get_weather',
    disable_parallel_tool_use: true,
  });
  assert.deepEqual(request.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'First part.' },
        { type: 'text', text: 'Second part.' },
        {
          type: 'image',
          source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
        },
      ],
    },
  ]);
  const late: Json = chatToMessagesRequest({
    messages: [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'toolu_9', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      },
      { role: 'user', content: 'Use celsius.' },
      { role: 'tool', tool_call_id: 'toolu_9', content: [{ type: 'text', text: '18°C' }] },
    ],
  });
  assert.deepEqual(
    late.messages[1].content,
    [{ type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} }],
    'empty arguments are an empty input',
  );
  assert.deepEqual(
    late.messages[2].content,
    [
      { type: 'tool_result', tool_use_id: 'toolu_9', content: '18°C' },
      { type: 'text', text: 'Use celsius.' },
    ],
    'tool results lead their user turn',
  );
  const choices = ['none', 'required'].map(
    (choice) =>
      chatToMessagesRequest({ messages: [], tools: [weatherTool], tool_choice: choice })
        .tool_choice,
  );
  assert.deepEqual(choices, [{ type: 'none' }, { type: 'any' }]);
  assert.equal(chatToMessagesRequest({ messages: [], max_tokens: 99 }).max_tokens, 99);
});

test('requests the Messages API cannot honour are 400s naming the parameter', () => {
  const user = [{ role: 'user', content: 'hi' }];
  assert.throws(() => chatToMessagesRequest({ messages: user, n: 3 }), rejectsWith('n'));
  assert.throws(
    () => chatToMessagesRequest({ messages: user, logprobs: true }),
    rejectsWith('logprobs'),
  );
  assert.throws(
    () => chatToMessagesRequest({ messages: user, temperature: 1.5 }),
    rejectsWith('temperature'),
  );
  assert.throws(() => chatToMessagesRequest({ model: 'x' }), rejectsWith('messages'));
  assert.doesNotThrow(() => chatToMessagesRequest({ messages: user, n: 1, logprobs: false }));

  const badArguments = structuredClone(toolConversation);
  badArguments.messages[2].tool_calls[1].function.arguments = '{"city": "Oslo"';
  assert.throws(
    () => chatToMessagesRequest(badArguments),
    rejectsWith('messages.2.tool_calls.1.function.arguments'),
  );
  badArguments.messages[2].tool_calls[1].function.arguments = '["Oslo"]';
  assert.throws(
    () => chatToMessagesRequest(badArguments),
    rejectsWith('messages.2.tool_calls.1.function.arguments'),
  );

  const parts = (part: Json) => ({
    messages: [
      ...user,
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'look' },
      { role: 'user', content: [{ type: 'text', text: 'this:' }, part] },
    ],
  });
  assert.throws(
    () =>
      chatToMessagesRequest(
        parts({ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }),
      ),
    rejectsWith('messages.3.content.1'),
  );
  assert.throws(
    () =>
      chatToMessagesRequest(
        parts({ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }),
      ),
    rejectsWith('messages.3.content.1'),
  );
  assert.throws(
    () => chatToMessagesRequest({ messages: [{ role: 'function', name: 'f', content: 'x' }] }),
    rejectsWith('messages.0.role'),
  );
  assert.throws(
    () => chatToMessagesRequest({ messages: [{ role: 'tool', content: 'x' }] }),
    rejectsWith('messages.0.tool_call_id'),
  );
  assert.throws(
    () =>
      chatToMessagesRequest({
        messages: user,
        tools: [{ type: 'custom', custom: { name: 'grammar' } }],
      }),
    rejectsWith('tools.0'),
  );
});

test('an answer with thinking, text and a tool call becomes a chat.completion', () => {
  const completion: Json = messagesToChatResponse(toolUseMessage, 'claude-sonnet-4-5');
  assert.match(completion.id, /^chatcmpl-/);
  assert.equal(completion.object, 'chat.completion');
  assert.ok(
    Number.isInteger(completion.created) && Math.abs(completion.created - Date.now() / 1000) < 5,
    'created is in seconds',
  );
  assert.equal(completion.model, 'claude-sonnet-4-5');
  const [choice] = completion.choices;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.role, 'assistant');
  assert.equal(choice.message.content, 'Let me look that up.');
  assert.equal(choice.message.reasoning_content, 'The user wants Paris weather; call the tool.');
  assert.deepEqual(choice.message.tool_calls, [
    {
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
    },
  ]);
  assert.deepEqual(completion.usage, {
    prompt_tokens: 572,
    completion_tokens: 89,
    total_tokens: 661,
    prompt_tokens_details: { cached_tokens: 100 },
  });

  const finishReasons = ['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal'].map(
    (stopReason) => {
      return (messagesToChatResponse({ ...toolUseMessage, stop_reason: stopReason }, 'm') as Json)
        .choices[0].finish_reason;
    },
  );
  assert.deepEqual(finishReasons, ['stop', 'stop', 'length', 'tool_calls', 'content_filter']);
  const toolOnly: Json = messagesToChatResponse(
    { ...toolUseMessage, content: [toolUseMessage.content[2]] },
    'm',
  );
  assert.equal(
    toolOnly.choices[0].message.content,
    null,
    'content is null beside tool calls when there is no text',
  );
});

test('a streamed answer: role first, text deltas that join to the answer, reasoning apart, one finish_reason, [DONE]', () => {
  const stream = translate(textStream, false);
  assert.ok(stream.endsWith('data: [DONE]\n\n'));
  const chunks = chunksOf(stream);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.ok(
    chunks.every(
      (chunk) =>
        chunk.object === 'chat.completion.chunk' &&
        chunk.id === chunks[0].id &&
        chunk.model === 'claude-sonnet-4-5' &&
        !('usage' in chunk),
    ),
  );
  const deltas = chunks.map((chunk) => chunk.choices[0].delta);
  assert.equal(
    deltas.map((delta) => delta.content ?? '').join(''),
    'Hello, wörld! ☃ How can I help?',
  );
  assert.equal(
    deltas.map((delta) => delta.reasoning_content ?? '').join(''),
    'A greeting; answer warmly.',
  );
  assert.deepEqual(chunks.map((chunk) => chunk.choices[0].finish_reason).filter(Boolean), ['stop']);
  assert.equal(chunks.at(-1)?.choices[0].finish_reason, 'stop');
});

test('a streamed tool call: id and name first, argument fragments that join to valid JSON, per tool index', () => {
  const chunks = chunksOf(translate(toolStream, false));
  const calls = chunks.flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? []);
  const openings = calls.filter((call: Json) => call.id);
  assert.deepEqual(openings, [
    {
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    },
    {
      index: 1,
      id: 'toolu_02Oslo',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    },
  ]);
  const argumentsOf = (index: number) =>
    calls
      .filter((call: Json) => call.index === index)
      .map((call: Json) => call.function.arguments)
      .join('');
  assert.deepEqual(JSON.parse(argumentsOf(0)), { city: 'San Francisco, CA', unit: 'fahrenheit' });
  assert.deepEqual(JSON.parse(argumentsOf(1)), { city: 'Oslo' });
  assert.equal(
    chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join(''),
    "Okay, let's check the weather.",
  );
  assert.equal(chunks.at(-1)?.choices[0].finish_reason, 'tool_calls');
});

test('include_usage: usage null on every chunk, then a usage chunk with no choices before [DONE]', () => {
  const all = payloads(translate(toolStream, true));
  assert.equal(all.at(-1), '[DONE]');
  const chunks = all.filter((payload): payload is Json => payload !== '[DONE]');
  const last = chunks.at(-1) as Json;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, {
    prompt_tokens: 500,
    completion_tokens: 89,
    total_tokens: 589,
    prompt_tokens_details: { cached_tokens: 28 },
  });
  assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null));
});

test('an upstream error event, or a stream cut short, ends the stream with an OpenAI error chunk', () => {
  const translator = new MessagesStreamToChat('claude-sonnet-4-5', true);
  let stream = '';
  for (const event of parseSse(overloadedStream))
    stream += translator.event(event.event, event.data);
  stream += translator.event(
    'content_block_delta',
    '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"late"}}',
  );
  stream += translator.end();
  const all = payloads(stream);
  assert.deepEqual(all.at(-1), {
    error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' },
  });
  assert.equal(all.includes('[DONE]'), false);
  assert.equal(
    chunksOf(stream)
      .map((chunk) => chunk.choices?.[0]?.delta.content ?? '')
      .join(''),
    'Partial',
    'nothing after the error',
  );

  const cut = textStream.slice(0, textStream.indexOf('event: message_delta'));
  assert.equal((payloads(translate(cut, false)).at(-1) as Json).error.code, 'upstream_error');
});

/** Serves one translated answer per request: `model` picks the fixture; stream or JSON as asked. */
async function withOpenAIClient(run: (client: OpenAI) => Promise<void>): Promise<void> {
  const streams: Record<string, string> = {
    'text-model': textStream,
    'tool-model': toolStream,
    'overloaded-model': overloadedStream,
  };
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Json;
      chatToMessagesRequest(body); // the client's own request must translate
      if (body.stream !== true) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(messagesToChatResponse(toolUseMessage, body.model)));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(translate(streams[body.model], body.stream_options?.include_usage === true));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new OpenAI({
    apiKey: 'sk-test',
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    maxRetries: 0,
  });
  try {
    await run(client);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('the official openai client accepts the translated answers and streams', async () => {
  await withOpenAIClient(async (client) => {
    const messages = toolConversation.messages as OpenAI.Chat.ChatCompletionMessageParam[];
    const tools = [weatherTool] as OpenAI.Chat.ChatCompletionTool[];
    const completion = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages,
      tools,
    });
    assert.equal(completion.choices[0].message.content, 'Let me look that up.');
    const call = completion.choices[0].message.tool_calls?.[0];
    assert.deepEqual(call?.type === 'function' && JSON.parse(call.function.arguments), {
      city: 'Paris',
      unit: 'celsius',
    });
    assert.equal(completion.usage?.total_tokens, 661);

    let text = '';
    for await (const chunk of await client.chat.completions.create({
      model: 'text-model',
      messages,
      stream: true,
    }))
      text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Hello, wörld! ☃ How can I help?');

    // The stream helper accumulates chunks into a completion and checks tool-call deltas as it goes.
    const runner = client.chat.completions.stream({
      model: 'tool-model',
      messages,
      tools,
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
    assert.equal(final.choices[0].message.content, "Okay, let's check the weather.");
    assert.deepEqual(
      final.choices[0].message.tool_calls?.map(
        (toolCall) =>
          toolCall.type === 'function' && [toolCall.id, JSON.parse(toolCall.function.arguments)],
      ),
      [
        ['toolu_01T1x1fJ34qAmk2tNTrN7Up6', { city: 'San Francisco, CA', unit: 'fahrenheit' }],
        ['toolu_02Oslo', { city: 'Oslo' }],
      ],
    );
    assert.equal(final.usage?.completion_tokens, 89);

    const failing = await client.chat.completions.create({
      model: 'overloaded-model',
      messages,
      stream: true,
    });
    await assert.rejects(
      async () => {
        for await (const chunk of failing) void chunk;
      },
      (error: unknown) => error instanceof OpenAI.APIError && error.message.includes('Overloaded'),
    );
  });
});
