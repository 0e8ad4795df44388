import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import {
  encodeText,
  startReferenceModelServer,
  type LogitsProcessor,
  type ReferenceServer,
} from '../index.js';

let server: ReferenceServer;
let client: OpenAI;

before(async () => {
  server = await startReferenceModelServer({ port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test', maxRetries: 0 });
});
after(async () => server.close());

const messages = [
  { role: 'user' as const, content: 'Write a long story about a river and the town beside it.' },
];
/** Bans end-of-text, so an answer runs to max_tokens. */
const endless = { '100257': -100 };

/** Resolves once `target` has no stream in progress (the test's own timeout bounds the wait). */
async function streamsClosed(target: ReferenceServer): Promise<void> {
  while (target.counters.openStreams > 0) await sleep(5);
}

test('the first content chunk arrives while the answer is still being generated', async () => {
  const maxTokens = 2000;
  const before = server.counters.generatedTokens;
  const stream = await client.chat.completions.create({
    model: 'm',
    messages,
    max_tokens: maxTokens,
    logit_bias: endless,
    seed: 5,
    stream: true,
    stream_options: { include_usage: true },
  });
  let generatedAtFirstContent: number | null = null;
  let chunks = 0;
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    chunks += 1;
    if (chunk.usage) usage = chunk.usage;
    if (generatedAtFirstContent === null && chunk.choices[0]?.delta.content)
      generatedAtFirstContent = server.counters.generatedTokens - before;
  }
  assert.equal(usage!.completion_tokens, maxTokens);
  assert.ok(
    generatedAtFirstContent !== null && generatedAtFirstContent < maxTokens,
    `first content came after ${generatedAtFirstContent} of ${maxTokens} tokens`,
  );
  assert.equal(chunks, 1 + maxTokens + 1 + 1, 'role, one chunk per token, finish, usage');
});

test('a client that aborts mid-stream stops the generation', async () => {
  const maxTokens = 200_000;
  const before = server.counters.generatedTokens;
  const stream = await client.chat.completions.create({
    model: 'm',
    messages,
    max_tokens: maxTokens,
    logit_bias: endless,
    seed: 6,
    stream: true,
  });
  let contentChunks = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta.content != null) contentChunks += 1;
    if (contentChunks === 50) break;
  }
  stream.controller.abort();
  await streamsClosed(server);
  const generated = server.counters.generatedTokens - before;
  assert.ok(
    generated >= 50 && generated < maxTokens,
    `generated ${generated} of ${maxTokens} tokens`,
  );
  await sleep(20);
  assert.equal(
    server.counters.generatedTokens - before,
    generated,
    'no tokens sampled after the stream closed',
  );
  const health = (await (await fetch(`${server.url}/health`)).json()) as {
    generated_tokens: number;
    open_streams: number;
  };
  assert.equal(health.open_streams, 0);
  assert.equal(health.generated_tokens, server.counters.generatedTokens);
});

test('stop sequences end streamed answers exactly where they end whole ones, on both endpoints', async () => {
  const stop = [' the same', ' of the', '\n\n'];
  let stoppedBySequence = 0;
  for (let seed = 0; seed < 12; seed += 1) {
    const whole = await client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 150,
      stop,
      seed,
    });
    const chatStream = await client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 150,
      stop,
      seed,
      stream: true,
    });
    const chatPieces: string[] = [];
    for await (const chunk of chatStream) chatPieces.push(chunk.choices[0]?.delta.content ?? '');
    const shown = chatPieces.join('');
    assert.equal(shown, whole.choices[0].message.content);
    for (const sequence of stop) assert.ok(!shown.includes(sequence));
    if (whole.choices[0].finish_reason === 'stop' && whole.usage!.completion_tokens < 150)
      stoppedBySequence += 1;

    const prompt = 'The river ran through the same old town of the north';
    const wholeText = await client.completions.create({
      model: 'm',
      prompt,
      max_tokens: 150,
      stop,
      seed,
    });
    const textStream = await client.completions.create({
      model: 'm',
      prompt,
      max_tokens: 150,
      stop,
      seed,
      stream: true,
    });
    const textPieces: string[] = [];
    for await (const chunk of textStream) textPieces.push(chunk.choices[0]?.text ?? '');
    assert.equal(textPieces.join(''), wholeText.choices[0].text);
  }
  assert.ok(stoppedBySequence > 0);
});

test('a long stop sequence, held back over several batches, never leaks into the stream', async () => {
  for (let seed = 20; seed < 26; seed += 1) {
    const free = await client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 150,
      logit_bias: endless,
      seed,
    });
    const text = free.choices[0].message.content!;
    const stop = text.slice(20, 140);
    const stream = await client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 150,
      logit_bias: endless,
      seed,
      stop,
      stream: true,
    });
    let shown = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      shown += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(shown, text.slice(0, text.indexOf(stop)));
    assert.equal(finish, 'stop');

    const prompt = 'The river ran through the town';
    const freeText = (
      await client.completions.create({
        model: 'm',
        prompt,
        max_tokens: 150,
        logit_bias: endless,
        seed,
      })
    ).choices[0].text;
    const textStop = freeText.slice(10, 130);
    const textStream = await client.completions.create({
      model: 'm',
      prompt,
      max_tokens: 150,
      logit_bias: endless,
      seed,
      stop: textStop,
      stream: true,
    });
    let shownText = '';
    for await (const chunk of textStream) shownText += chunk.choices[0]?.text ?? '';
    assert.equal(shownText, freeText.slice(0, freeText.indexOf(textStop)));
  }
});

test('streamed and whole answers are the same for a seed: n, logprobs, logit_bias, stop, echo', async () => {
  const chatRequest = {
    model: 'm',
    messages,
    max_tokens: 60,
    n: 2,
    seed: 11,
    temperature: 0.9,
    top_p: 0.95,
    logprobs: true,
    top_logprobs: 2,
    logit_bias: { '13': 3 },
    stop: ['\n\n'],
  };
  const whole = await client.chat.completions.create(chatRequest);
  const stream = await client.chat.completions.create({ ...chatRequest, stream: true });
  const texts = ['', ''];
  const logprobs: OpenAI.ChatCompletionTokenLogprob[][] = [[], []];
  const finishes: (string | null)[] = [null, null];
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      texts[choice.index] += choice.delta.content ?? '';
      logprobs[choice.index].push(...(choice.logprobs?.content ?? []));
      finishes[choice.index] = choice.finish_reason ?? finishes[choice.index];
    }
  }
  assert.deepEqual(
    texts,
    whole.choices.map((choice) => choice.message.content),
  );
  assert.deepEqual(
    logprobs,
    whole.choices.map((choice) => choice.logprobs!.content),
  );
  assert.deepEqual(
    finishes,
    whole.choices.map((choice) => choice.finish_reason),
  );

  const textRequest = {
    model: 'm',
    prompt: ['Rivers of the world', 'A town by the sea'],
    max_tokens: 40,
    n: 2,
    seed: 12,
    logprobs: 2,
    echo: true,
    stop: ['.'],
  };
  const wholeText = await client.completions.create(textRequest);
  const textStream = await client.completions.create({ ...textRequest, stream: true });
  const streamed = ['', '', '', ''];
  const offsets: number[][] = [[], [], [], []];
  for await (const chunk of textStream) {
    for (const choice of chunk.choices) {
      streamed[choice.index] += choice.text;
      offsets[choice.index].push(...(choice.logprobs?.text_offset ?? []));
    }
  }
  assert.deepEqual(
    streamed,
    wholeText.choices.map((choice) => choice.text),
  );
  assert.deepEqual(
    offsets,
    wholeText.choices.map((choice) => choice.logprobs!.text_offset),
  );
});

test('the logits processor shapes streamed answers exactly as whole ones', async () => {
  const evenTokens: LogitsProcessor = {
    process(_context, candidates, logits) {
      for (let slot = 0; slot < candidates.length; slot += 1)
        if (candidates[slot] % 2 === 0) logits[slot] += 4;
    },
  };
  const marked = await startReferenceModelServer({ port: 0, logitsProcessor: evenTokens });
  try {
    const markedClient = new OpenAI({ baseURL: `${marked.url}/v1`, apiKey: 'test', maxRetries: 0 });
    const request = { model: 'm', messages, max_tokens: 80, seed: 3, logprobs: true };
    const whole = await markedClient.chat.completions.create(request);
    const stream = await markedClient.chat.completions.create({ ...request, stream: true });
    const tokens: number[] = [];
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      for (const entry of chunk.choices[0]?.logprobs?.content ?? [])
        tokens.push(entry.bytes!.length);
    }
    assert.equal(text, whole.choices[0].message.content);
    assert.equal(tokens.length, whole.usage!.completion_tokens);
    const unmarked = await client.chat.completions.create(request);
    assert.notEqual(unmarked.choices[0].message.content, text);
  } finally {
    await marked.close();
  }
});

test('a generation error is a 400 before the stream starts, and an error event after', async () => {
  // Bans every candidate once the context holds 40 tokens: at once for a longer prompt, mid-answer for a short one.
  const banLate: LogitsProcessor = {
    process(context, _candidates, logits) {
      if (context.length >= 40) logits.fill(-Infinity);
    },
  };
  const failing = await startReferenceModelServer({ port: 0, logitsProcessor: banLate });
  try {
    const failingClient = new OpenAI({
      baseURL: `${failing.url}/v1`,
      apiKey: 'test',
      maxRetries: 0,
    });
    const longPrompt = encodeText('word '.repeat(60));
    await assert.rejects(
      failingClient.completions.create({
        model: 'm',
        prompt: longPrompt,
        max_tokens: 5,
        stream: true,
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.param, 'logit_bias');
        return true;
      },
    );
    const stream = await failingClient.completions.create({
      model: 'm',
      prompt: encodeText('A river'),
      max_tokens: 100,
      logit_bias: endless,
      stream: true,
    });
    let text = '';
    await assert.rejects(
      async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
      },
      (error: unknown) => error instanceof OpenAI.APIError && /banned/.test(error.message),
    );
    assert.ok(text.length > 0, 'the tokens before the error were streamed');
    await streamsClosed(failing);
  } finally {
    await failing.close();
  }
});

test('closing the server cuts off an answer still streaming', async () => {
  const closing = await startReferenceModelServer({ port: 0 });
  const closingClient = new OpenAI({ baseURL: `${closing.url}/v1`, apiKey: 'test', maxRetries: 0 });
  const stream = await closingClient.chat.completions.create({
    model: 'm',
    messages,
    max_tokens: 200_000,
    logit_bias: endless,
    seed: 8,
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  await iterator.next();
  await closing.close();
  assert.equal(closing.counters.openStreams, 0);
  assert.ok(closing.counters.generatedTokens < 200_000);
  await assert.rejects(async () => {
    while (!(await iterator.next()).done);
  });
});
