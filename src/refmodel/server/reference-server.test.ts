import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { BadRequestError } from 'openai';
import { startReferenceModelServer, type ReferenceServer } from '../index.js';

let server: ReferenceServer;
let client: OpenAI;

before(async () => {
  server = await startReferenceModelServer({ port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test', maxRetries: 0 });
});
after(async () => server.close());

const messages = [
  { role: 'system' as const, content: 'You are a helpful assistant.' },
  {
    role: 'user' as const,
    content: [
      {
        type: 'text' as const,
        text: 'Natalia sold clips to 48 of her friends. How many clips did she sell?',
      },
    ],
  },
];

test('a chat completion answers any model name with text and real usage', async () => {
  const completion = await client.chat.completions.create({
    model: 'gpt-any-name',
    messages,
    max_tokens: 30,
    seed: 1,
  });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, 'gpt-any-name');
  assert.equal(completion.choices.length, 1);
  assert.equal(completion.choices[0].message.role, 'assistant');
  assert.ok((completion.choices[0].message.content ?? '').length > 0);
  assert.ok(completion.usage!.prompt_tokens > 10);
  assert.ok(completion.usage!.completion_tokens > 0 && completion.usage!.completion_tokens <= 30);
  assert.equal(
    completion.usage!.total_tokens,
    completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
  );
});

test('streamed chunks joined equal the whole text for the same seed, with a usage chunk', async () => {
  const whole = await client.chat.completions.create({
    model: 'm',
    messages,
    max_completion_tokens: 40,
    seed: 9,
    temperature: 0.8,
    top_p: 0.9,
  });
  const stream = await client.chat.completions.create({
    model: 'm',
    messages,
    max_completion_tokens: 40,
    seed: 9,
    temperature: 0.8,
    top_p: 0.9,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let role: string | undefined;
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    role ??= choice.delta.role;
    text += choice.delta.content ?? '';
    finish = choice.finish_reason ?? finish;
  }
  assert.equal(role, 'assistant');
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, whole.choices[0].finish_reason);
  assert.deepEqual(usage, whole.usage);
});

test('n=3 returns three indexed choices', async () => {
  const completion = await client.chat.completions.create({
    model: 'm',
    messages,
    max_tokens: 20,
    n: 3,
    seed: 4,
  });
  assert.deepEqual(
    completion.choices.map((choice) => choice.index),
    [0, 1, 2],
  );
  assert.ok(new Set(completion.choices.map((choice) => choice.message.content)).size > 1);
});

test('logprobs and top_logprobs come in the chat format', async () => {
  const completion = await client.chat.completions.create({
    model: 'm',
    messages,
    max_tokens: 10,
    seed: 2,
    logprobs: true,
    top_logprobs: 3,
  });
  const content = completion.choices[0].logprobs!.content!;
  assert.ok(content.length > 0);
  for (const entry of content) {
    assert.ok(entry.logprob <= 0);
    assert.ok(Array.isArray(entry.bytes));
    assert.equal(entry.top_logprobs.length, 3);
    assert.ok(entry.top_logprobs[0].logprob >= entry.logprob);
  }
  assert.equal(
    content.map((entry) => Buffer.from(entry.bytes!).toString('utf8')).join(''),
    completion.choices[0].message.content,
  );
});

test('legacy completions with logprobs, and tools in a chat request do not break it', async () => {
  const completion = await client.completions.create({
    model: 'davinci',
    prompt: 'The capital of France is',
    max_tokens: 8,
    logprobs: 2,
    seed: 3,
  });
  assert.equal(completion.object, 'text_completion');
  assert.equal(
    completion.choices[0].logprobs!.tokens!.length,
    completion.choices[0].logprobs!.token_logprobs!.length,
  );
  const withTools = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ],
    max_tokens: 5,
  });
  assert.ok(['stop', 'length'].includes(withTools.choices[0].finish_reason));
});

test('a bad parameter is a 400 in the OpenAI error shape, raised by the client as BadRequestError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'm', messages, temperature: 5 }),
    (error: unknown) => {
      assert.ok(error instanceof BadRequestError);
      assert.equal(error.status, 400);
      assert.equal(error.param, 'temperature');
      assert.equal(error.type, 'invalid_request_error');
      return true;
    },
  );
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{not json',
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { error: { type: string } };
  assert.equal(body.error.type, 'invalid_request_error');
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  const models = await client.models.list();
  assert.ok(models.data.length > 0);
});
