// The gateway over real sockets, driven by the official OpenAI and Anthropic clients, in front of
// a stand-in upstream that speaks the OpenAI wire format. Each exchange must also be recorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import { ApiError } from './api-error.js';
import { observeOnly, type Enforcement } from './enforcement.js';
import { parseGatewayConfig } from './gateway-config.js';
import { startGateway, type RunningGateway } from './server.js';
import { overheadHeader, requestIdHeader } from '../core/index.js';

const reply = 'The answer is 42, because six times seven is 42.';
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

/** Refuses two named accounts the way the ladder would; everyone else is observed. */
const refusing: Enforcement = {
  ...observeOnly,
  admit(accountId, nowMs) {
    if (accountId === 'acct-throttled') {
      return {
        action: 'throttle',
        reason: 'test',
        campaignId: 'c1',
        cohort: null,
        ttlS: 60,
        refusal: new ApiError(429, 'rate_limited', 'Slow down.', {
          headers: { 'retry-after': '7' },
        }),
      };
    }
    if (accountId === 'acct-blocked')
      return {
        action: 'block',
        reason: 'test',
        campaignId: 'c1',
        cohort: null,
        ttlS: 60,
        refusal: new ApiError(403, 'account_blocked', 'Blocked.'),
      };
    return observeOnly.admit(accountId, nowMs);
  },
};

async function recorded(gateway: RunningGateway): Promise<Record<string, any>[]> {
  await gateway.recorder.drain();
  const records: Record<string, any>[] = [];
  for await (const raw of gateway.store.exportInteractions()) records.push(JSON.parse(raw));
  return records;
}

/** Prometheus text format: each sample keyed by its name and its labels sorted by name. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, name, value]) => `${name}="${value}"`)
      .sort();
    samples.set(labels.length ? `${match[1]}{${labels.join(',')}}` : match[1], Number(match[3]));
  }
  return samples;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('gateway with the official clients', () => {
  let folder: string;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let secret: string;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dg-gateway-'));
    upstream = await startFakeUpstream({ reply, chunkDelayMs: 0 });
    gateway = await startGateway({
      port: 0,
      databasePath: join(folder, 'gateway.db'),
      upstream: upstream.url,
      adminToken: 'admin-token-for-tests',
      config: parseGatewayConfig({ limits: { body_bytes: 64 * 1024 } }),
      enforcement: () => refusing,
      logLevel: 'silent',
    });
    secret = (await gateway.keys.create('acct-1')).secret;
    openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: secret, baseURL: gateway.url, maxRetries: 0 });
  });

  after(async () => {
    await gateway.close();
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('OpenAI chat, plain: the upstream answer comes back with the overhead header, and is recorded', async () => {
    const { data, response } = await openai.chat.completions
      .create({
        model: 'any-model',
        messages: [{ role: 'user', content: 'What is six times seven?' }],
      })
      .withResponse();
    assert.equal(data.choices[0].message.content, reply);
    assert.ok(Number(response.headers.get(overheadHeader)) >= 0);
    const id = response.headers.get(requestIdHeader);
    const record = (await recorded(gateway)).find((entry) => entry.id === id);
    assert.ok(record, 'exchange recorded');
    assert.equal(record.account_id, 'acct-1');
    assert.equal(record.api, 'openai.chat');
    assert.equal(record.response.text, reply);
    assert.equal(record.response.status, 200);
    assert.deepEqual(record.response.usage, { input_tokens: 12, output_tokens: 9 });
    assert.match(record.key_id, /^key_/);
    // the upstream saw neither the client's key nor anything but the body the client sent
    const seen = upstream.received.at(-1);
    assert.equal(seen?.headers.authorization, undefined);
    assert.equal(seen?.body.model, 'any-model');
  });

  test('OpenAI chat, streaming: every chunk arrives and the joined text is recorded', async () => {
    const stream = await openai.chat.completions.create({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(text, reply);
    assert.ok(chunks >= 6);
    const record = (await recorded(gateway))
      .filter((entry) => entry.request.stream === true)
      .at(-1);
    assert.equal(record?.response.text, reply);
    assert.equal(record?.response.finish_reason, 'stop');
  });

  test('OpenAI tool calls, plain and streaming, and n > 1', async () => {
    const plain = await openai.chat.completions.create({
      model: 'm',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    assert.equal(
      plain.choices[0].message.tool_calls?.[0]?.type === 'function' &&
        plain.choices[0].message.tool_calls[0].function.name,
      'get_weather',
    );
    const stream = await openai.chat.completions.create({
      model: 'm',
      stream: true,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    let argumentsText = '';
    for await (const chunk of stream)
      argumentsText += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
    assert.deepEqual(JSON.parse(argumentsText), { city: 'Paris' });
    const many = await openai.chat.completions.create({
      model: 'm',
      n: 3,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(many.choices.length, 3);
    const records = await recorded(gateway);
    const streamedTool = records
      .filter((entry) => Array.isArray(entry.request.tools) && entry.request.stream === true)
      .at(-1);
    assert.equal(streamedTool?.response.tool_calls?.[0]?.function?.arguments, '{"city":"Paris"}');
    const threeChoices = records.filter((entry) => entry.request.n === 3).at(-1);
    assert.equal(threeChoices?.response.text.split('\n\n').length, 3);
  });

  test('Anthropic messages, plain and streaming, served from the OpenAI-compatible upstream', async () => {
    const message = await anthropic.messages.create({
      model: 'claude-any',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'What is six times seven?' }],
    });
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, reply);
    assert.equal(message.stop_reason, 'end_turn');
    const translated = upstream.received.at(-1)?.body as { messages: { role: string }[] };
    assert.equal(translated.messages[0].role, 'system');
    let streamed = '';
    const stream = await anthropic.messages.create({
      model: 'claude-any',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    for await (const event of stream)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
        streamed += event.delta.text;
    assert.equal(streamed, reply);
    const helper = anthropic.messages.stream({
      model: 'claude-any',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await helper.finalMessage();
    assert.equal(final.content[0]?.type === 'text' && final.content[0].text, reply);
    const record = (await recorded(gateway))
      .filter((entry) => entry.api === 'anthropic.messages')
      .at(-1);
    assert.equal(record?.response.text, reply);
  });

  test('Anthropic tool use round trip', async () => {
    const message = await anthropic.messages.create({
      model: 'claude-any',
      max_tokens: 100,
      tools: [
        {
          name: 'get_weather',
          description: 'Weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const block = message.content.find((entry) => entry.type === 'tool_use');
    assert.ok(block && block.type === 'tool_use');
    assert.equal(block.name, 'get_weather');
    assert.deepEqual(block.input, { city: 'Paris' });
    assert.equal(message.stop_reason, 'tool_use');
    let json = '';
    const stream = await anthropic.messages.create({
      model: 'claude-any',
      max_tokens: 100,
      stream: true,
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    for await (const event of stream)
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta')
        json += event.delta.partial_json;
    assert.deepEqual(JSON.parse(json), { city: 'Paris' });
  });

  test("errors come back in each API's own shape", async () => {
    // bad JSON: the SDKs always send valid JSON, so a raw request
    for (const [path, headers] of [
      ['/v1/chat/completions', { authorization: `Bearer ${secret}` }],
      ['/v1/messages', { 'x-api-key': secret }],
    ] as const) {
      const response = await request(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"model": "m", ',
      });
      assert.equal(response.statusCode, 400);
      const body = (await response.body.json()) as Record<string, any>;
      if (path === '/v1/messages')
        assert.deepEqual([body.type, body.error.type], ['error', 'invalid_request_error']);
      else
        assert.deepEqual(
          [body.error.type, body.error.code],
          ['invalid_request_error', 'invalid_json'],
        );
    }
    const big = 'x'.repeat(80 * 1024);
    await assert.rejects(
      openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: big }] }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 413,
    );
    await assert.rejects(
      anthropic.messages.create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: big }],
      }),
      (error: unknown) =>
        error instanceof Anthropic.APIError &&
        error.status === 413 &&
        (error.error as any)?.error?.type === 'request_too_large',
    );
    const stranger = new OpenAI({
      apiKey: 'dg-not-a-key',
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
    await assert.rejects(
      stranger.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      OpenAI.AuthenticationError,
    );
    const strangerAnthropic = new Anthropic({
      apiKey: 'dg-not-a-key',
      baseURL: gateway.url,
      maxRetries: 0,
    });
    await assert.rejects(
      strangerAnthropic.messages.create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      Anthropic.AuthenticationError,
    );
    const throttled = new OpenAI({
      apiKey: (await gateway.keys.create('acct-throttled')).secret,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
    await assert.rejects(
      throttled.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError);
        assert.equal(error.headers?.get('retry-after'), '7');
        assert.equal(error.code, 'rate_limited');
        return true;
      },
    );
    const blockedSecret = (await gateway.keys.create('acct-blocked')).secret;
    const blocked = new OpenAI({
      apiKey: blockedSecret,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
    await assert.rejects(
      blocked.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) =>
        error instanceof OpenAI.PermissionDeniedError && error.code === 'account_blocked',
    );
    const blockedAnthropic = new Anthropic({
      apiKey: blockedSecret,
      baseURL: gateway.url,
      maxRetries: 0,
    });
    await assert.rejects(
      blockedAnthropic.messages.create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      Anthropic.PermissionDeniedError,
    );
    await assert.rejects(
      openai.chat.completions.create({
        model: 'fail-model',
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => error instanceof OpenAI.InternalServerError && error.status === 500,
    );
    // an upstream's error in the other API's format: the Anthropic caller gets Anthropic's shape, with the upstream's message
    await assert.rejects(
      anthropic.messages.create({
        model: 'fail-model',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.InternalServerError);
        assert.deepEqual(error.error, {
          type: 'error',
          error: { type: 'api_error', message: 'upstream exploded' },
        });
        return true;
      },
    );
    // an upstream's 429 keeps its Retry-After, in both APIs
    await assert.rejects(
      openai.chat.completions.create({
        model: 'busy-model',
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) =>
        error instanceof OpenAI.RateLimitError && error.headers?.get('retry-after') === '3',
    );
    await assert.rejects(
      anthropic.messages.create({
        model: 'busy-model',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.RateLimitError);
        assert.equal(error.headers?.get('retry-after'), '3');
        assert.equal(
          (error.error as { error?: { type?: string } }).error?.type,
          'rate_limit_error',
        );
        return true;
      },
    );
    const refusals = (await recorded(gateway)).filter(
      (entry) => entry.account_id === 'acct-blocked' || entry.account_id === 'acct-throttled',
    );
    assert.deepEqual(refusals.map((entry) => entry.response.status).sort(), [403, 403, 429]);
  });

  test('bodies and streams pass through byte for byte, logprobs included', async () => {
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const response = await request(`${gateway.url}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      assert.equal(response.statusCode, 200);
      return response.body.text();
    };
    const messages = [{ role: 'user', content: 'What is six times seven?' }];
    assert.equal(
      await post('/v1/chat/completions', { model: 'm', messages, logprobs: true, top_logprobs: 2 }),
      upstream.sent.at(-1),
    );
    assert.equal(
      await post('/v1/chat/completions', { model: 'm', messages, logprobs: true, stream: true }),
      upstream.sent.at(-1),
    );
    assert.equal(
      await post('/v1/completions', { model: 'm', prompt: 'Six times seven is', logprobs: 1 }),
      upstream.sent.at(-1),
    );
    assert.equal(
      await post('/v1/completions', { model: 'm', prompt: 'Six times seven is', stream: true }),
      upstream.sent.at(-1),
    );
    // and as the SDK reads them
    const chat = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      logprobs: true,
    });
    assert.deepEqual(
      chat.choices[0].logprobs?.content?.map((entry) => entry.token).join(''),
      reply,
    );
    const completion = await openai.completions.create({
      model: 'm',
      prompt: 'Six times seven is',
      logprobs: 1,
    });
    assert.equal(completion.choices[0].text, reply);
    assert.equal(completion.choices[0].logprobs?.tokens?.join(''), reply);
    let streamed = '';
    for await (const chunk of await openai.completions.create({
      model: 'm',
      prompt: 'Six times seven is',
      stream: true,
    }))
      streamed += chunk.choices[0]?.text ?? '';
    assert.equal(streamed, reply);
    const legacyRecords = (await recorded(gateway)).filter(
      (entry) => entry.api === 'openai.completions',
    );
    assert.equal(legacyRecords.length, 4);
    assert.ok(
      legacyRecords.every(
        (entry) => entry.response.text === reply && entry.response.status === 200,
      ),
    );
  });

  test("GET /v1/models lists the upstream's models; /health answers", async () => {
    const listed: string[] = [];
    for await (const model of openai.models.list()) listed.push(model.id);
    assert.deepEqual(listed.sort(), ['fake-model-a', 'fake-model-b']);
    // degraded ("warming up") until the detector's first assessment; ok from then on
    await gateway.warmStart;
    const health = await request(`${gateway.url}/health`);
    assert.equal(health.statusCode, 200);
    assert.deepEqual(await health.body.json(), {
      status: 'ok',
      reasons: [],
      engines: { store: 'ok', counters: 'ok' },
    });
  });

  test("an error the upstream sends mid-stream reaches the caller as an error, in its own API's stream format", async () => {
    const openaiStream = await openai.chat.completions.create({
      model: 'fail-midstream',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let openaiText = '';
    await assert.rejects(
      async () => {
        for await (const chunk of openaiStream)
          openaiText += chunk.choices[0]?.delta?.content ?? '';
      },
      (error: unknown) =>
        error instanceof OpenAI.APIError && /upstream overloaded midway/.test(error.message),
    );
    assert.ok(
      reply.startsWith(openaiText) && openaiText.length > 0,
      `text before the error arrived: ${openaiText}`,
    );
    // the Anthropic caller of an OpenAI-compatible upstream gets Anthropic's error event, not a normal end
    const anthropicStream = await anthropic.messages.create({
      model: 'fail-midstream',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let anthropicText = '';
    let stopped = false;
    await assert.rejects(
      async () => {
        for await (const event of anthropicStream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
            anthropicText += event.delta.text;
          if (event.type === 'message_stop') stopped = true;
        }
      },
      (error: unknown) =>
        error instanceof Anthropic.APIError && /upstream overloaded midway/.test(error.message),
    );
    assert.equal(stopped, false, 'no message_stop after an error');
    assert.equal(anthropicText, openaiText);
  });

  test('/metrics: the overhead histogram counts each answered request; refusals are counted by status and action', async () => {
    const scrape = async (): Promise<Map<string, number>> => {
      // on the public port (no --admin-port), metrics need a read token
      const response = await request(`${gateway.url}/metrics`, {
        headers: { authorization: 'Bearer admin-token-for-tests' },
      });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      return parsePrometheus(await response.body.text());
    };
    const overheadCount = 'distillguard_gateway_overhead_seconds_count{surface="openai.chat"}';
    const before = await scrape();
    await openai.chat.completions.create({
      model: 'any-model',
      messages: [{ role: 'user', content: 'Once more.' }],
    });
    const after = await scrape();
    assert.equal(after.get(overheadCount), (before.get(overheadCount) ?? 0) + 1);
    assert.equal(
      after.get('distillguard_gateway_overhead_seconds_bucket{le="+Inf",surface="openai.chat"}'),
      after.get(overheadCount),
    );
    assert.ok(
      (after.get('distillguard_gateway_overhead_seconds_sum{surface="openai.chat"}') ?? -1) > 0,
    );
    assert.equal(
      after.get(
        'distillguard_gateway_requests_total{action="throttle",status="429",surface="openai.chat"}',
      ),
      1,
    );
    assert.equal(
      after.get(
        'distillguard_gateway_requests_total{action="block",status="403",surface="openai.chat"}',
      ),
      1,
    );
  });

  test("upstream down gives 502 in the caller's format", async () => {
    const down = await startFakeUpstream();
    const downUrl = down.url;
    await down.close();
    const orphan = await startGateway({
      port: 0,
      databasePath: join(folder, 'orphan.db'),
      upstream: downUrl,
      logLevel: 'silent',
    });
    try {
      const key = (await orphan.keys.create('acct-2')).secret;
      const client = new OpenAI({ apiKey: key, baseURL: `${orphan.url}/v1`, maxRetries: 0 });
      await assert.rejects(
        client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
        (error: unknown) =>
          error instanceof OpenAI.APIError &&
          error.status === 502 &&
          error.code === 'upstream_unreachable',
      );
      const anthropicClient = new Anthropic({ apiKey: key, baseURL: orphan.url, maxRetries: 0 });
      await assert.rejects(
        anthropicClient.messages.create({
          model: 'm',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'hi' }],
        }),
        (error: unknown) =>
          error instanceof Anthropic.APIError &&
          error.status === 502 &&
          (error.error as any)?.type === 'error',
      );
    } finally {
      await orphan.close();
    }
  });
});

test('a client that disconnects mid-stream aborts the upstream request, and the exchange is still recorded', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-gateway-abort-'));
  const upstream = await startFakeUpstream({
    reply: 'one two three four five six seven eight nine ten '.repeat(20),
    chunks: 200,
    chunkDelayMs: 20,
  });
  const gateway = await startGateway({
    port: 0,
    databasePath: join(folder, 'gateway.db'),
    upstream: upstream.url,
    logLevel: 'silent',
  });
  try {
    const client = new OpenAI({
      apiKey: (await gateway.keys.create('acct-abort')).secret,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'count' }],
    });
    let received = '';
    let chunks = 0;
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta?.content ?? '';
      chunks += 1;
      if (chunks === 5) break; // leaving the loop aborts the client's request
    }
    await until(() => upstream.aborted === 1, 'the upstream stream to be aborted');
    let record: Record<string, any> | undefined;
    await until(async () => {
      record = (await recorded(gateway)).find((entry) => entry.account_id === 'acct-abort');
      return record !== undefined;
    }, 'the aborted exchange to be recorded');
    assert.equal(record?.response.status, 499);
    assert.ok(
      record?.response.text.startsWith(received),
      'the recorded text holds what was served',
    );
    assert.ok(record.response.text.length < 200 * 10);
  } finally {
    await gateway.close();
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('after a restart, live detection is fed the exchanges stored before it (warm start)', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-gateway-warm-'));
  const upstream = await startFakeUpstream();
  const databasePath = join(folder, 'gateway.db');
  try {
    const first = await startGateway({
      port: 0,
      databasePath,
      upstream: upstream.url,
      logLevel: 'silent',
    });
    const client = new OpenAI({
      apiKey: (await first.keys.create('acct-warm')).secret,
      baseURL: `${first.url}/v1`,
      maxRetries: 0,
    });
    for (let index = 0; index < 5; index += 1)
      await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: `question ${index}` }],
      });
    await first.close();
    const second = await startGateway({
      port: 0,
      databasePath,
      upstream: upstream.url,
      logLevel: 'silent',
    });
    try {
      assert.equal(await second.warmStart, 5);
      assert.equal(second.detection.assessment?.interactions, 5);
      assert.equal(second.detection.assessment?.observedAccounts, 1);
    } finally {
      await second.close();
    }
  } finally {
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test("an upstream that does not answer in time gives 504 in the caller's format; a client that leaves before the answer aborts the upstream request and is recorded as 499", async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-gateway-slow-'));
  const upstream = await startFakeUpstream({ headDelayMs: 1_500 });
  const config = parseGatewayConfig({
    upstreams: [
      { name: 'impatient', url: upstream.url, models: ['timeout-*'], timeout_ms: 300 },
      { name: 'patient', url: upstream.url, models: ['*'], timeout_ms: 10_000 },
    ],
  });
  const gateway = await startGateway({
    port: 0,
    databasePath: join(folder, 'gateway.db'),
    config,
    logLevel: 'silent',
  });
  try {
    const secret = (await gateway.keys.create('acct-slow')).secret;
    const openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      openai.chat.completions.create({
        model: 'timeout-m',
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.status, 504);
        assert.equal((error.error as { code?: string }).code, 'upstream_timeout');
        return true;
      },
    );
    const anthropic = new Anthropic({ apiKey: secret, baseURL: gateway.url, maxRetries: 0 });
    await assert.rejects(
      anthropic.messages.create({
        model: 'timeout-m',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError);
        assert.equal(error.status, 504);
        assert.equal((error.error as { error?: { type?: string } }).error?.type, 'api_error');
        return true;
      },
    );

    const leaving = new AbortController();
    const pending = openai.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'leave early' }] },
      { signal: leaving.signal, timeout: 10_000 },
    );
    await until(
      () => upstream.received.some((entry) => JSON.stringify(entry.body).includes('leave early')),
      'the request to reach the upstream',
    );
    leaving.abort();
    await assert.rejects(pending);
    await until(() => upstream.abandoned >= 3, 'the upstream request to be abandoned');
    let record: Record<string, any> | undefined;
    await until(async () => {
      record = (await recorded(gateway)).find((entry) =>
        JSON.stringify(entry.request).includes('leave early'),
      );
      return record !== undefined;
    }, 'the abandoned exchange to be recorded');
    assert.equal(record?.response.status, 499);
  } finally {
    await gateway.close();
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
