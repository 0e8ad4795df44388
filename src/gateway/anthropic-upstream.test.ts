// Models routed by config to an Anthropic upstream: Messages pass through byte for byte (streams
// included) with the upstream key from the environment; OpenAI chat clients are translated both
// ways (answers and streams); legacy completions to them answer 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { startFakeAnthropicUpstream } from '../test-support/fake-anthropic-upstream.js';
import { startFakeUpstream } from '../test-support/fake-openai-upstream.js';
import { parseGatewayConfig } from './gateway-config.js';
import { startGateway } from './server.js';

test('per-model upstreams: Anthropic passthrough and OpenAI routing side by side', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-anthropic-'));
  const claude = await startFakeAnthropicUpstream();
  const openaiUpstream = await startFakeUpstream({ reply: 'From the OpenAI-compatible server.' });
  process.env.TEST_ANTHROPIC_KEY = 'sk-ant-test-upstream-key';
  const gateway = await startGateway({
    port: 0,
    databasePath: join(folder, 'gateway.db'),
    logLevel: 'silent',
    config: parseGatewayConfig({
      upstreams: [
        {
          name: 'claude',
          url: claude.url,
          api: 'anthropic',
          models: ['claude-*'],
          api_key_env: 'TEST_ANTHROPIC_KEY',
        },
        { name: 'local', url: openaiUpstream.url, models: ['*'] },
      ],
    }),
  });
  try {
    const secret = (await gateway.keys.create('acct-a')).secret;
    const anthropic = new Anthropic({ apiKey: secret, baseURL: gateway.url, maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    assert.equal(
      message.content[0]?.type === 'text' && message.content[0].text,
      'Bonjour from the Anthropic stand-in.',
    );
    const seen = claude.received.at(-1);
    assert.equal(seen?.path, '/v1/messages');
    assert.equal(
      seen?.headers['x-api-key'],
      'sk-ant-test-upstream-key',
      'the upstream key, not the client key',
    );
    assert.match(
      String(seen?.headers['anthropic-version']),
      /^\d{4}-\d{2}-\d{2}$/,
      "the client's API version is passed on",
    );

    const streamed = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': secret,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({
        model: 'claude-test',
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'Hello' }],
      }),
    });
    assert.equal(await streamed.body.text(), claude.lastStream, 'stream bytes unchanged');

    const openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const local = await openai.chat.completions.create({
      model: 'llama-local',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(local.choices[0].message.content, 'From the OpenAI-compatible server.');

    const bridged = await openai.chat.completions.create({
      model: 'claude-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      max_completion_tokens: 30,
    });
    assert.equal(bridged.choices[0].message.content, 'Bonjour from the Anthropic stand-in.');
    assert.equal(bridged.choices[0].finish_reason, 'stop');
    assert.equal(bridged.usage?.completion_tokens, 8);
    const asked = claude.received.at(-1);
    assert.equal(
      asked?.path,
      '/v1/messages',
      'an OpenAI chat request reaches the Anthropic upstream as Messages',
    );
    assert.equal(asked?.body.system, 'Be brief.');
    assert.equal(asked?.body.max_tokens, 30);
    assert.equal((asked?.body.messages as { role: string }[]).at(-1)?.role, 'user');

    const stream = await openai.chat.completions.create({
      model: 'claude-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    let finish: string | null = null;
    let usage: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage.completion_tokens;
    }
    assert.equal(
      text,
      'Bonjour from the Anthropic stand-in.',
      'the streamed deltas join to the answer',
    );
    assert.equal(finish, 'stop');
    assert.equal(usage, 8);
    await gateway.recorder.drain();
    const records: Record<string, any>[] = [];
    for await (const raw of gateway.store.exportInteractions())
      records.push(JSON.parse(raw) as Record<string, any>);
    const bridgedRecords = records.filter(
      (record) => record.api === 'openai.chat' && record.model === 'claude-test',
    );
    assert.equal(bridgedRecords.length, 2);
    for (const record of bridgedRecords)
      assert.equal(
        record.response.text,
        'Bonjour from the Anthropic stand-in.',
        'the record holds the text served',
      );

    await assert.rejects(
      openai.completions.create({ model: 'claude-test', prompt: 'hi' }),
      (error: unknown) =>
        error instanceof OpenAI.BadRequestError && error.code === 'unsupported_upstream',
    );
  } finally {
    await gateway.close();
    await claude.close();
    await openaiUpstream.close();
    delete process.env.TEST_ANTHROPIC_KEY;
    rmSync(folder, { recursive: true, force: true });
  }
});
